"""What the xapi app holds of one counselor, for their personal-data download
(ACCOUNTS_PERSONAL_DATA_EXPORTERS)."""


def personal_data(user):
    return {}
