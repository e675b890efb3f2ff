from django.contrib.auth import views as auth_views
from django.urls import path

from . import views_people, views_person, views_security

urlpatterns = [
    path("login/", views_security.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("invite/<str:token>/", views_people.accept, name="accept_invitation"),
    path("people/", views_people.people, name="people"),
    path("people/<int:pk>/deactivate/", views_people.set_active, {"active": False},
         name="people-deactivate"),
    path("people/<int:pk>/reactivate/", views_people.set_active, {"active": True},
         name="people-reactivate"),
    path("people/<int:pk>/", views_person.person_detail, name="people-detail"),
    path("people/<int:pk>/memberships/add/", views_person.membership_add,
         name="people-membership-add"),
    path("people/<int:pk>/memberships/<int:membership_pk>/change/",
         views_person.membership_change, name="people-membership-change"),
    path("people/<int:pk>/memberships/<int:membership_pk>/remove/",
         views_person.membership_remove, name="people-membership-remove"),
    path("people/<int:pk>/password-reset/", views_person.password_reset,
         name="people-password-reset"),
    path("reset/done/", views_person.ResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("reset/<uidb64>/<token>/", views_person.ResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("people/invitations/<int:pk>/withdraw/", views_people.withdraw,
         name="people-withdraw"),
    path("people/partners/", views_people.partners, name="people-partners"),
    path("me/security/", views_security.security, name="security"),
    path("me/security/2fa/verify/", views_security.verify, name="security-2fa-verify"),
    path("me/security/2fa/enrol/", views_security.enrol, name="security-2fa-enrol"),
    path("me/security/2fa/recovery-codes/", views_security.regenerate_recovery_codes,
         name="security-2fa-recovery"),
    path("me/security/password/", views_security.PasswordChangeView.as_view(),
         name="security-password"),
]
