"""Verification: the mandatory verification (强制检定) of individual scales.

A verification institution tests a scale against the maximum permissible errors of its accuracy
class and records the result, which sets the scale's valid-until date and, when it fails, the
result notice. The arithmetic of that judgement lives in the Django-free module
:mod:`chengxin.verification.mpe` (with its command-line front end in
:mod:`chengxin.verification.mpe_cli`), so that it can be tested against the OIML R76 / JJG tables
on its own and reused by the API, the bulk import and the verifier's tablet alike.
"""
