from django.contrib import admin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "created_at", "expires_at", "last_used_at"]
    readonly_fields = ["prefix", "user", "created_at", "last_used_at"]
    search_fields = ["user__username", "prefix"]

    def has_add_permission(self, request):
        return False  # tokens are issued through POST /api/v1/auth/token, so the secret is shown only once
