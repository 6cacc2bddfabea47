from django.shortcuts import render

from accounts.access import login_required


@login_required
def bench_floor(request):
    """The benchmark's floor: the base layout with an empty content block, through the
    same middleware as every page (mounted only by demo.bench_urls)."""
    return render(request, "demo/bench_floor.html")
