import pytest

from forms_app.keys import duplicated, is_valid_key, key_from_label


@pytest.mark.parametrize(
    "label, key",
    [
        ("Nombre de ménages rencontrés", "nombre_de_menages_rencontres"),
        ("Crédits consommés (€)", "credits_consommes"),
        ("  Part de la population (%) ", "part_de_la_population"),
        ("2021 : ETP pourvus", "champ_2021_etp_pourvus"),
        ("???", "champ"),
    ],
)
def test_key_from_label(label, key):
    assert key_from_label(label) == key
    assert is_valid_key(key)


def test_invalid_keys():
    assert not is_valid_key("Nombre")
    assert not is_valid_key("1_champ")
    assert not is_valid_key("ménages")
    assert not is_valid_key("revision") and not is_valid_key("action")


def test_a_label_never_derives_a_reserved_key():
    assert key_from_label("Action") == "champ_action"
    assert key_from_label("Révision") == "champ_revision"


def test_duplicated_keeps_first_seen_order():
    assert duplicated(["a", "b", "a", "c", "b", "a"]) == ["a", "b"]
    assert duplicated(["a", "b"]) == []
