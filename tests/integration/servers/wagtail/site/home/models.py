from django.db import models
from wagtail.api import APIField
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    intro = models.CharField(max_length=250, blank=True)
    body = RichTextField(blank=True)

    api_fields = [APIField("intro", writable=True), APIField("body", writable=True)]
