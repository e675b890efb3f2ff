"""Pages for accounts: opening an invitation link (anyone, signed out)."""

from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from hexie.core.errors import DomainError

from .invitations import InvitationUnusable, accept_invitation, find_invitation


@never_cache
@sensitive_post_parameters("password1", "password2")
def accept(request, token):
    """The invited person picks a username and password. A link that cannot be used answers
    410 Gone (it existed, or may have: the page never says which); someone already signed in
    as another person is asked to sign out first, so an office never turns itself into the
    invitee by clicking a link it is about to hand out."""
    try:
        invitation = find_invitation(token)
    except InvitationUnusable as exc:
        return render(request, "accounts/invitation_unusable.html",
                      {"message": exc.message}, status=410)
    if request.user.is_authenticated:
        return render(request, "accounts/invitation_signed_in.html",
                      {"invitation": invitation}, status=403)
    errors, username = {}, ""
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        password = request.POST.get("password1", "")
        if password != request.POST.get("password2", ""):
            errors["password2"] = _("两次输入的密码不一致。")
        else:
            try:
                person = accept_invitation(token, username, password)
            except InvitationUnusable as exc:
                return render(request, "accounts/invitation_unusable.html",
                              {"message": exc.message}, status=410)
            except DomainError as exc:
                errors[exc.field or "username"] = exc.message
            else:
                login(request, person, backend="django.contrib.auth.backends.ModelBackend")
                return redirect("home")
    return render(request, "accounts/invitation_accept.html",
                  {"invitation": invitation, "errors": errors, "username": username},
                  status=400 if errors else 200)
