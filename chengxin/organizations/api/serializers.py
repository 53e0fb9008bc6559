"""Organisations and authorisations as the API shows and accepts them."""

from __future__ import annotations

from rest_framework import serializers

from chengxin.core.api.serializers import (
    RestrictedModelSerializer,
    VisiblePrimaryKeyRelatedField,
)
from chengxin.organizations.models import Authorisation, Organisation


class OrganisationSerializer(RestrictedModelSerializer):
    class Meta:
        model = Organisation
        fields = (
            "id",
            "kind",
            "name",
            "uscc",
            "division",
            "address",
            "contact_name",
            "contact_phone",
            "is_active",
        )


class AuthorisationSerializer(RestrictedModelSerializer):
    issued_by = VisiblePrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        required=False,
        help_text="The issuing bureau; the requesting user's own unless a superuser names one.",
    )
    instrument_kinds = serializers.ListField(child=serializers.CharField(), allow_empty=False)
    division_codes = serializers.ListField(
        child=serializers.CharField(max_length=6), allow_empty=False
    )

    class Meta:
        model = Authorisation
        fields = (
            "id",
            "organisation",
            "kind",
            "certificate_no",
            "issued_by",
            "instrument_kinds",
            "division_codes",
            "valid_from",
            "valid_until",
        )


class AuthorisationUpdateSerializer(AuthorisationSerializer):
    """Who holds an authorisation and who issued it never change; everything else may."""

    class Meta(AuthorisationSerializer.Meta):
        read_only_fields = ("organisation", "issued_by")
