"""/api/v1/organisations/ and /api/v1/authorisations/: reads restricted, writes via services."""

from __future__ import annotations

from typing import Any

from rest_framework.serializers import BaseSerializer

from chengxin.core.api.viewsets import WritableViewSet
from chengxin.organizations import services
from chengxin.organizations.filtersets import AuthorisationFilterSet, OrganisationFilterSet
from chengxin.organizations.models import Authorisation, Organisation

from .serializers import (
    AuthorisationSerializer,
    AuthorisationUpdateSerializer,
    OrganisationSerializer,
)


class OrganisationViewSet(WritableViewSet):
    queryset = Organisation.objects.all()
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilterSet
    ordering_fields = ("id", "uscc")

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        serializer.instance = services.organisation_create(
            user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: BaseSerializer[Any]) -> None:
        serializer.instance = services.organisation_update(
            user=self.request.user,
            organisation=self.instance_of(serializer),
            **serializer.validated_data,
        )


class AuthorisationViewSet(WritableViewSet):
    queryset = Authorisation.objects.all()
    filterset_class = AuthorisationFilterSet
    ordering_fields = ("id",)

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action in ("update", "partial_update"):
            return AuthorisationUpdateSerializer
        return AuthorisationSerializer

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        serializer.instance = services.authorisation_create(
            user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: BaseSerializer[Any]) -> None:
        serializer.instance = services.authorisation_update(
            user=self.request.user,
            authorisation=self.instance_of(serializer),
            **serializer.validated_data,
        )
