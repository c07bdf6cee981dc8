from tests.conftest import ACTIVE_ANSWERS, answer_all


def test_full_answer_and_submit(invitation, client):
    response = answer_all(invitation, ACTIVE_ANSWERS)
    assert response.is_submitted
    page = client.get(invitation.get_absolute_url())
    assert page.status_code == 200
