"""The portal's app configurations: the core app and Wagtail's users app with the portal's
user forms and views."""

from django.apps import AppConfig
from wagtail.users import apps as wagtail_users_apps


class PortalConfig(AppConfig):
    name = "portal"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Portail : territoires, organisations et comptes"

    def ready(self) -> None:
        # Django's documented place to connect signals: imported here, once the apps and
        # their models are loaded (portal.accounts and portal.audit_changes need them).
        from portal.accounts import connect_session_receivers

        connect_session_receivers()

        from portal.audit_changes import audit_changes_connect

        audit_changes_connect()

        from portal.task_logs import task_logs_connect

        task_logs_connect()

        # The core's daily job (portal.schedule): expired sessions leave the database.
        from portal.housekeeping import expired_sessions_clear_task
        from portal.schedule import scheduled_job_register

        scheduled_job_register(name="sessions", enqueue=expired_sessions_clear_task.enqueue)


class PortalUsersAppConfig(wagtail_users_apps.WagtailUsersAppConfig):
    """Wagtail's users app (label "wagtailusers"), with the portal's user forms and views.

    Listed in INSTALLED_APPS instead of "wagtail.users": see portal/user_admin.py.
    """

    default = False  # not the config of the "portal" entry of INSTALLED_APPS
    user_viewset = "portal.user_admin.PortalUserViewSet"
