"""Progress pages. SCAFFOLD: the helper building these pages replaces every placeholder below."""

from django.http import Http404


def _placeholder(request, *args, **kwargs):
    raise Http404("placeholder")


my_measures = review_queue = signoff_queue = _placeholder
