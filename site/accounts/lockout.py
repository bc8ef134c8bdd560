"""The account a sign-in names, for the brute-force lockout (hub.security.client_username).

allauth's form takes an e-mail address or a mobile number, typed any way (Zhang@Example.edu.cn,
138 1234 5678). Axes counts failures per account name and records successes under the user name
(its access log, which `hub.security.known_address` reads). So an identifier that names an account is
counted under that account's user name: capitals, spaces, or switching between the address and the
number do not multiply an attacker's guesses, and the owner's usual address stays exempt. An
identifier of no account is counted as normalised (lower-case address, +86 number).
"""

from django.contrib.auth import get_user_model
from django.db.models import Q

from .phone import normalise_or_none


def account_name(identifier):
    identifier = identifier.strip()
    users = get_user_model().objects
    if "@" in identifier:
        identifier = identifier.lower()
        match = Q(email__iexact=identifier) | Q(emailaddress__email__iexact=identifier)
    elif phone := normalise_or_none(identifier):
        identifier = phone
        # A confirmed number only (accounts.adapter): an unconfirmed claim is not the account's to lock.
        match = Q(counselor_profile__phone=phone, counselor_profile__phone_verified=True)
    else:
        return identifier
    return users.filter(match).values_list(users.model.USERNAME_FIELD, flat=True).first() or identifier
