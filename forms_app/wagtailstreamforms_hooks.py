"""wagtailstreamforms hooks (module found by its name)."""

from wagtailstreamforms.hooks import register


@register("construct_form_list_display")
def hide_streamforms_submission_columns(list_display, request):
    """The portal keeps answers itself: wagtailstreamforms' submission counts are meaningless."""
    return tuple(
        name for name in list_display if name not in {"latest_submission", "saved_submissions"}
    )
