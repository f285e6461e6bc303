// Code generated from django_registration.validators.DEFAULT_RESERVED_NAMES (django-registration 3.3); DO NOT EDIT.

package registration

// DefaultReservedNames is django-registration's DEFAULT_RESERVED_NAMES:
// names ReservedNameValidator refuses (besides anything starting with
// ".well-known").
var DefaultReservedNames = []string{
	"autoconfig", "autodiscover", "broadcasthost", "isatap", "localdomain", "localhost",
	"wpad", "ftp", "imap", "mail", "news", "pop",
	"pop3", "smtp", "usenet", "uucp", "webmail", "www",
	"admin", "administrator", "hostmaster", "info", "is", "it",
	"mis", "postmaster", "root", "ssladmin", "ssladministrator", "sslwebmaster",
	"sysadmin", "webmaster", "abuse", "marketing", "noc", "sales",
	"security", "support", "mailer-daemon", "nobody", "noreply", "no-reply",
	"clientaccesspolicy.xml", "crossdomain.xml", "favicon.ico", "humans.txt", "keybase.txt", "robots.txt",
	".htaccess", ".htpasswd", "account", "accounts", "auth", "authorize",
	"blog", "buy", "cart", "clients", "contact", "contactus",
	"contact-us", "copyright", "dashboard", "doc", "docs", "download",
	"downloads", "enquiry", "faq", "help", "inquiry", "license",
	"login", "logout", "me", "myaccount", "oauth", "pay",
	"payment", "payments", "plans", "portfolio", "preferences", "pricing",
	"privacy", "profile", "register", "secure", "settings", "signin",
	"signup", "ssl", "status", "store", "subscribe", "terms",
	"tos", "user", "users", "weblog", "work",
}
