"""The REST API of the framework layer: shared building blocks and the change-record endpoint.

``pagination``, ``exceptions``, ``authentication``, ``viewsets`` and the first half of
``serializers`` are what every app's ``api/`` package builds on; ``views`` and ``urls`` serve
change records. This package imports nothing itself: DRF's modules read the settings that name
these modules while they are being imported, and an eager import here would be circular.
"""
