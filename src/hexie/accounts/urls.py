from django.contrib.auth import views as auth_views
from django.urls import path

from . import views_people, views_tokens

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("invite/<str:token>/", views_people.accept, name="accept_invitation"),
    path("people/", views_people.people, name="people"),
    path("people/<int:pk>/deactivate/", views_people.set_active, {"active": False},
         name="people-deactivate"),
    path("people/<int:pk>/reactivate/", views_people.set_active, {"active": True},
         name="people-reactivate"),
    path("people/invitations/<int:pk>/withdraw/", views_people.withdraw,
         name="people-withdraw"),
    path("tokens/", views_tokens.token_list, name="tokens"),
    path("tokens/<int:pk>/", views_tokens.token_detail, name="token-detail"),
    path("tokens/<int:pk>/revoke/", views_tokens.token_revoke, name="token-revoke"),
]
