from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.api.v3.urls import api as v3_api
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

v2 = WagtailAPIRouter("wagtailapi")
v2.register_endpoint("pages", PagesAPIViewSet)
v2.register_endpoint("images", ImagesAPIViewSet)
v2.register_endpoint("documents", DocumentsAPIViewSet)

urlpatterns = [
    path("api/v2/", v2.urls),
    path("api/v3/", v3_api.urls),
    path("documents/", include(wagtaildocs_urls)),
    path("", include(wagtail_urls)),
]
