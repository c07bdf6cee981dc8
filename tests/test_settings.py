"""Settings read from the environment mean what the README says they mean."""

from surveyproject.settings import BASE_DIR, email_config


def test_filemail_takes_four_slashes_for_an_absolute_path_and_three_for_one_in_the_project():
    assert email_config("filemail:////var/mail/borgerservice")["EMAIL_FILE_PATH"] == "/var/mail/borgerservice"
    assert email_config("filemail:///sent-mail")["EMAIL_FILE_PATH"] == str(BASE_DIR / "sent-mail")
    assert email_config("filemail://")["EMAIL_FILE_PATH"] == str(BASE_DIR / "sent-mail")
    assert email_config("consolemail://")["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
