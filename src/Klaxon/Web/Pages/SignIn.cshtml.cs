using Klaxon.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Klaxon.Web.Pages;

/// <summary>Sign-in with login and password (users without a password cannot sign in to the UI).</summary>
public sealed class SignInModel(KlaxonDbContext db) : PageModel
{
    [BindProperty]
    public string? Login { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var login = Login?.Trim() ?? "";
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Login == login, cancellationToken);
        // The same answer whether the login is unknown, has no password or the password is wrong.
        if (user is null || !Passwords.Verify(Password ?? "", user.PasswordHash))
        {
            Error = "The login or the password is not right.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        await WebUi.SignInAsync(HttpContext, user.Login);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
    }
}
