"""Demo data: a deterministic, realistic national data set for trying the platform out.

``chengxin demo`` (``chengxin.core.management.commands.demo``) calls ``generator.seed``. Nothing
here is used by the running platform; it must never be run against a production database.
"""
