"""Forms of the scheme on wagtailstreamforms, campaigns and submissions (see issue 3)."""
