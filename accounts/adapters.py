from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation

PRODUCT_NAME = "Klantbekwaam"
# Context keys that hold links in allauth's mails (confirmation, reset, sign-up).
LINK_KEYS = ("activate_url", "password_reset_url", "signup_url")


@dataclass(frozen=True)
class MailSite:
    """What allauth calls ``current_site``: our name and address, not the request's Host."""

    name: str
    domain: str


def on_site(url: str) -> str:
    """The same path on SITE_URL, whichever host name the request came in on."""
    site = urlsplit(settings.SITE_URL)
    parts = urlsplit(url)
    return urlunsplit((site.scheme, site.netloc, parts.path, parts.query, parts.fragment))


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:  # noqa: ARG002 (allauth's signature)
        # People arrive by invitation; public sign-up only when a setting opens it.
        return settings.SIGNUP_OPEN

    def get_reset_password_from_key_url(self, key: str) -> str:
        return on_site(super().get_reset_password_from_key_url(key))

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return on_site(super().get_email_confirmation_url(request, emailconfirmation))

    def send_notification_mail(self, template_prefix, user, context=None, email=None) -> None:
        # allauth leaves the user out of a notice's context; send_mail needs it for the language.
        super().send_notification_mail(
            template_prefix, user, {"user": user, **(context or {})}, email
        )

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Every account mail: our links and name, in the recipient's language.

        Links and the greeting otherwise follow the Host the request came in on
        (localhost, an internal name); the language is the person's own when the
        address belongs to an account, else the one the page was shown in.
        """
        context = {
            **context,
            "current_site": MailSite(name=PRODUCT_NAME, domain=urlsplit(settings.SITE_URL).netloc),
            "site_name": PRODUCT_NAME,
            "site_url": settings.SITE_URL,
        }
        for key in LINK_KEYS:
            if context.get(key):
                context[key] = on_site(context[key])
        user = context.get("user")
        language = getattr(user, "language", None) or translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)
