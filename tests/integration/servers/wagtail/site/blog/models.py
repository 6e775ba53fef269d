from django.db import models
from wagtail.api import APIField
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index


class BlogIndexPage(Page):
    intro = models.CharField(max_length=250, blank=True)

    api_fields = [APIField("intro", writable=True)]


class BlogPage(Page):
    intro = models.CharField(max_length=250, blank=True)
    body = RichTextField(blank=True)

    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    api_fields = [APIField("intro", writable=True), APIField("body", writable=True)]
