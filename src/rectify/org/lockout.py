"""What a locked-out caller sees (django-axes calls this): JSON for the API, a page for people."""

from django.http import JsonResponse
from django.shortcuts import render

LOCKED_STATUS = 429
MESSAGE = "登录失败次数过多，账户已暂时锁定，请稍后再试或联系管理员。"


def lockout_response(request, original_response=None, credentials=None):
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": MESSAGE}, status=LOCKED_STATUS, json_dumps_params={"ensure_ascii": False}
        )
    return render(request, "registration/locked_out.html", {"message": MESSAGE}, status=LOCKED_STATUS)
