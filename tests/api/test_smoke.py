from tests.conftest import auth_headers


def test_login_token_works_on_users_me(client, student):
    headers = auth_headers(client, "alice")
    response = client.get("/api/accounts/users/me/", headers=headers)
    assert response.status_code == 200
    assert response.json()["username"] == "alice"
