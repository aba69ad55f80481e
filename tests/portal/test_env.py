import pytest

from portal.env import Env, ImproperlyConfiguredEnv


@pytest.mark.parametrize(
    "raw, expected", [("true", True), ("False", False), ("0", False), ("1", True)]
)
def test_bool_reads_usual_spellings(raw, expected):
    assert Env({"DEBUG": raw}).bool("DEBUG", False) is expected


def test_malformed_boolean_names_the_variable():
    with pytest.raises(ImproperlyConfiguredEnv, match="DEBUG"):
        Env({"DEBUG": "maybe"}).bool("DEBUG", False)


def test_malformed_integer_names_the_variable():
    with pytest.raises(ImproperlyConfiguredEnv, match="SESSION_COOKIE_AGE"):
        Env({"SESSION_COOKIE_AGE": "une heure"}).int("SESSION_COOKIE_AGE", 3600)


def test_default_used_when_absent_and_missing_required_raises():
    env = Env({})
    assert env.int("PORT", 8000) == 8000
    assert env.list("ALLOWED_HOSTS", ["a"]) == ["a"]
    with pytest.raises(ImproperlyConfiguredEnv, match="SECRET_KEY"):
        env.str("SECRET_KEY")


def test_list_splits_on_commas_and_drops_blanks():
    assert Env({"ALLOWED_HOSTS": "a.fr, b.fr,,"}).list("ALLOWED_HOSTS") == ["a.fr", "b.fr"]


def test_require_names_every_missing_variable():
    with pytest.raises(ImproperlyConfiguredEnv) as error:
        Env({"SECRET_KEY": "x", "DATABASE_URL": " "}).require(
            "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"
        )
    assert "ALLOWED_HOSTS" in str(error.value)
    assert "DATABASE_URL" in str(error.value)
    assert "SECRET_KEY" not in str(error.value)
