"""Demo content for the integration tests: a home page, a blog with live and draft posts (read
only by the tests), an empty newsroom (where the tests write), a French locale, a user for API
tokens, three images (one without alt text, one for updates) and a document."""

import io
from datetime import UTC, datetime

from blog.models import BlogIndexPage, BlogPage
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.management import call_command
from django.core.management.base import BaseCommand
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Locale, Page, Revision, Site

from home.models import HomePage

LONG_AGO = datetime(2020, 1, 6, 9, 30, tzinfo=UTC)


def _png(colour: str) -> ImageFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 48), colour).save(buffer, "PNG")
    return ImageFile(buffer, name=f"{colour}.png")


class Command(BaseCommand):
    help = "Seed the integration-test site (run once, on a freshly migrated database)."

    def handle(self, *args: object, **options: object) -> None:
        Locale.objects.get_or_create(language_code="fr")
        user = get_user_model().objects.create_superuser("brain", "brain@example.com", "brain-password")

        root = Page.get_first_root_node()
        welcome = root.get_children().first()
        home = root.add_child(instance=HomePage(title="Home", slug="home-page", intro="Welcome"))
        site = Site.objects.get(is_default_site=True)
        site.root_page = home
        site.save()
        if welcome is not None:
            welcome.delete()
        home.save_revision(user=user).publish()

        blog = home.add_child(instance=BlogIndexPage(title="Blog", slug="blog", intro="News from the shop"))
        blog.save_revision(user=user).publish()
        newsroom = home.add_child(instance=BlogIndexPage(title="Newsroom", slug="newsroom", intro="Press"))
        newsroom.save_revision(user=user).publish()
        posts = [
            ("Spring Launch", "spring-launch", "The spring collection is here",
             "<p>The <b>spring</b> collection launches with the Red Mug.</p>", "", True),
            ("Summer Sale", "summer-sale", "Twenty percent off", "<p>Everything is cheaper in summer.</p>",
             "Summer sale: 20% off", True),
            ("Autumn Plans", "autumn-plans", "What comes next", "<p>A draft about autumn.</p>", "", False),
        ]
        for title, slug, intro, body, seo_title, live in posts:
            page = blog.add_child(instance=BlogPage(title=title, slug=slug, intro=intro, body=body,
                                                    seo_title=seo_title, live=live))
            revision = page.save_revision(user=user)
            if live:
                revision.publish()
        # One post last edited long ago, for the "not updated in N days" search.
        summer = BlogPage.objects.get(slug="summer-sale")
        Revision.objects.filter(object_id=str(summer.pk)).update(created_at=LONG_AGO)
        BlogPage.objects.filter(pk=summer.pk).update(first_published_at=LONG_AGO, last_published_at=LONG_AGO)

        marketing = Collection.get_first_root_node().add_child(name="Marketing")
        image_model = get_image_model()
        image_model.objects.create(title="Red Mug photo", description="A red mug on a wooden table",
                                   file=_png("red"))
        image_model.objects.create(title="Team photo", description="", file=_png("blue"), collection=marketing)
        image_model.objects.create(title="Banner", description="", file=_png("green"))
        get_document_model().objects.create(title="Spring price list",
                                            file=ContentFile(b"Red Mug: 12 USD\n", name="prices.txt"))
        call_command("update_index", verbosity=0)
        self.stdout.write("seeded")
