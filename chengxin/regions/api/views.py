"""/api/v1/divisions/: the GB/T 2260 divisions, read-only, ordered and paged by code."""

from __future__ import annotations

from chengxin.core.api.viewsets import ReadOnlyViewSet
from chengxin.regions.filtersets import DivisionFilterSet
from chengxin.regions.models import Division

from .serializers import DivisionSerializer


class DivisionViewSet(ReadOnlyViewSet):
    queryset = Division.objects.all()
    serializer_class = DivisionSerializer
    filterset_class = DivisionFilterSet
    ordering = ("code",)
    ordering_fields = ("code",)
