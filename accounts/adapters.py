from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # People arrive by invitation; public sign-up only when a setting opens it.
        return settings.SIGNUP_OPEN
