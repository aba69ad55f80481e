"""The root URLconf: the login doors, Wagtail, allauth, the core's « portal » namespace,
then each app's URLs, by dotted path (the core imports no app)."""

from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from portal import audit_views, health, views

portal_patterns = (
    [
        # « Mon espace » is forms_app's page (the answers expected, the veilles), named in
        # the core's namespace; apps are referenced here by dotted path, never imported.
        path("", include("forms_app.space")),
        path(
            "mon-espace/journal-des-acces/",
            audit_views.operator_audit_log,
            name="audit_log",
        ),
    ],
    "portal",
)

urlpatterns = [
    # For load balancers and orchestrators: no sign-in, no secrets (portal.health).
    path("healthz", health.healthz, name="healthz"),
    # One login door: Wagtail's own login and password views go to allauth.
    path("admin/login/", views.login_redirect, name="cms_admin_login"),
    path("admin/password_reset/", views.login_redirect),
    # Wagtail's front-end login (private pages) would be a password-only door, too.
    path("_util/login/", views.login_redirect),
    # wagtailstreamforms' own submission list and delete views are never served: they store
    # no user, key answers by label and do not scope deletions (security.md #2).
    re_path(r"^admin/wagtailstreamforms/\d+/submissions/", views.not_found),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("", include(portal_patterns)),
    path("", include("forms_app.urls")),
    path("", include("documents.urls")),
    path("", include("home.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns.append(path("", include(wagtail_urls)))

# A body refused before any view (too big, too many fields or files, malformed): French page
# naming the limit, French JSON for the automatic saving.
handler400 = "forms_app.limits.bad_request"
