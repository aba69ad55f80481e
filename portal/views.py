"""Views of the portal's core: the door redirects (« Mon espace » is forms_app.space)."""

from urllib.parse import urlencode

from django.http import Http404, HttpResponseRedirect
from django.urls import reverse


def login_redirect(request):
    """Every login door (Wagtail's included) leads to the one allauth login page."""
    url = reverse("account_login")
    next_url = request.GET.get("next")
    if next_url:
        url = f"{url}?{urlencode({'next': next_url})}"
    return HttpResponseRedirect(url)


def not_found(request, *args, **kwargs):
    """Routes that must not exist answer as if they did not."""
    raise Http404
