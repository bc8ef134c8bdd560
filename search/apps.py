from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "站内搜索"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db import connections
        from django.db.backends.signals import connection_created

        from .backends.database import register_sqlite_functions
        from .signal_handlers import register_signal_handlers

        connection_created.connect(register_sqlite_functions, dispatch_uid="search_sqlite_functions")
        for connection in connections.all(initialized_only=True):  # opened before this app was ready
            if connection.connection is not None:
                register_sqlite_functions(None, connection)

        register_signal_handlers()
