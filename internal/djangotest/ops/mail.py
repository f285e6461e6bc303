"""Mail ops: Django's own EmailMessage and SMTP backend, so a Go test can
compare what accountmail sends with what Django sends to the same server."""

from django.core.mail import EmailMessage, get_connection

from harness_ops import op


@op("mail_smtp_send")
def mail_smtp_send(args):
    """EmailMessage({"subject"}, {"body"}, {"from"}, {"to"}).send() through
    django.core.mail.backends.smtp.EmailBackend at {"host"}:{"port"};
    returns the number sent."""
    conn = get_connection("django.core.mail.backends.smtp.EmailBackend", host=args["host"], port=args["port"],
                          timeout=30)
    return EmailMessage(args["subject"], args["body"], args["from"], list(args["to"]), connection=conn).send()

