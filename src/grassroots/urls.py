from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from grassroots import views
from grassroots.common import prometheus

admin.site.site_header = _("Grassroots administration")
admin.site.site_title = _("Grassroots")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", prometheus.metrics_view, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("org/", include("grassroots.org.urls")),
    path("audit/", include("grassroots.audit.urls")),
    path("events/", include("grassroots.events.urls")),
    path("supervision/", include("grassroots.supervision.urls")),
    path("cadres/", include("grassroots.cadres.urls")),
    path("residents/", include("grassroots.residents.urls")),
    path("registers/", include("grassroots.registers.urls")),
    path("partybuilding/", include("grassroots.partybuilding.urls")),
    path("oversight/", include("grassroots.oversight.urls")),
    path("assessment/", include("grassroots.assessment.urls")),
    path("dashboard/", include("grassroots.dashboards.urls")),
    path("m/", include("grassroots.mobile.urls")),
    path("public/", include("grassroots.portal.urls")),
    path("inbox/", include("grassroots.inbox.urls")),
    path("api/v1/", include("grassroots.api.urls")),
    path("open311/v2/", include("grassroots.open311.urls")),
    path("admin/", admin.site.urls),
]
