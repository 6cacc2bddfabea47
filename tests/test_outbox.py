"""Development mail: one .eml per message, listed on a page for staff with DEBUG on."""

import pytest
from django.core.mail import EmailMultiAlternatives, get_connection

from tests.factories import UserFactory


@pytest.fixture
def mail_dir(tmp_path, settings):
    settings.EMAIL_BACKEND = "notifications.backends.EmlFileBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    return tmp_path / "mail"


def _send(subject, body, to="alice@example.com"):
    message = EmailMultiAlternatives(subject, body, "noreply@example.com", [to])
    message.attach_alternative(f"<p>{body}</p>", "text/html")
    return message.send()


def test_each_message_becomes_its_own_file(mail_dir):
    assert _send("Eerste", "een") == 1
    assert _send("Tweede", "twee") == 1
    files = sorted(mail_dir.glob("*.eml"))
    assert len(files) == 2
    assert (
        b"Subject: Eerste" in files[0].read_bytes() or b"Subject: Eerste" in files[1].read_bytes()
    )


def test_backend_sends_a_batch(mail_dir):
    connection = get_connection()
    messages = [
        EmailMultiAlternatives(f"M{i}", "x", "a@example.com", ["b@example.com"]) for i in range(3)
    ]
    assert connection.send_messages(messages) == 3
    assert len(list(mail_dir.glob("*.eml"))) == 3


def test_outbox_lists_and_opens_messages_for_staff_in_debug(client, db, mail_dir, settings):
    settings.DEBUG = True
    client.force_login(UserFactory(is_staff=True))
    _send("Bevestig je e-mailadres", "Klik op <b>deze</b> link: http://127.0.0.1:8000/x")
    response = client.get("/dev/mail/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Bevestig je e-mailadres" in body
    name = next(mail_dir.glob("*.eml")).name
    detail = client.get(f"/dev/mail/{name}/").content.decode()
    assert "Klik op &lt;b&gt;deze&lt;/b&gt; link" in detail
    assert 'href="http://127.0.0.1:8000/x"' in detail


def test_outbox_refuses_path_tricks(client, db, mail_dir, settings):
    settings.DEBUG = True
    client.force_login(UserFactory(is_staff=True))
    _send("x", "y")
    assert client.get("/dev/mail/..%2F..%2Fetc%2Fpasswd/").status_code == 404
    assert client.get("/dev/mail/nothing.eml/").status_code == 404


def test_outbox_does_not_exist_without_debug(client, db, mail_dir, settings):
    settings.DEBUG = False
    _send("x", "y")
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/dev/mail/").status_code == 404


def test_outbox_shows_no_mail_to_a_learner_even_in_debug(client, world, mail_dir, settings):
    settings.DEBUG = True
    _send("Wachtwoord opnieuw instellen", "Geheime link", to="bob@example.com")
    name = next(mail_dir.glob("*.eml")).name
    client.force_login(world.learner)
    for path in ("/dev/mail/", f"/dev/mail/{name}/"):
        response = client.get(path)
        assert response.status_code == 403
        assert b"Geheime link" not in response.content
        assert b"Wachtwoord opnieuw instellen" not in response.content


def test_outbox_sends_an_anonymous_visitor_to_the_login(client, db, mail_dir, settings):
    settings.DEBUG = True
    _send("Wachtwoord opnieuw instellen", "Geheime link")
    name = next(mail_dir.glob("*.eml")).name
    for path in ("/dev/mail/", f"/dev/mail/{name}/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_file_backend_gives_messages_a_message_id_on_the_site_domain(mail_dir, settings):
    settings.SITE_URL = "https://leren.example.com"
    _send("x", "y")
    raw = next(mail_dir.glob("*.eml")).read_text()
    assert "@leren.example.com>" in raw.split("Message-ID:", 1)[1].splitlines()[0]
