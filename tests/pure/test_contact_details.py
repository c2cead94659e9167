"""Contact details typed in one message, as people type them: two details at once, "WeChat is
the same number", full-width digits, a spoken "plus", in three languages. What is found is what
the coordinator will call or message, so a miss means a re-ask and a wrong value means a family
nobody can reach."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, SlotSet, UserUttered
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ValidateHandoffForm
from bot.leads.contact import read_contact_details, read_name
from bot.leads.default import lead_store
from bot.leads.store import LeadStore


@pytest.mark.parametrize("typed,phone,wechat,email", [
    ("my wechat is Lily-Zhang2020 and phone 139 1234 5678", "13912345678", "Lily-Zhang2020", None),
    ("WeChat: zhangwei_1990", None, "zhangwei_1990", None),
    ("zhangwei_1990", None, "zhangwei_1990", None),
    ("call me on 0086 139 1234 5678, wechat same number", "008613912345678", "13912345678", None),
    ("my number is 139 1234 5678 and that's also my wechat", "13912345678", "13912345678", None),
    ("plus 44 7700 900123", "+447700900123", None, None),
    ("lily.z@example.com or wechat lily_z88", None, "lily_z88", "lily.z@example.com"),
    ("手机15800001111 微信同号", "15800001111", "15800001111", None),
    ("188 0000 5678 / 微信同号", "18800005678", "18800005678", None),
    ("１３９１２３４５６７８", "13912345678", None, None),
    ("微信号是 lily_88x", None, "lily_88x", None),
    ("微信：zhangwei_1988", None, "zhangwei_1988", None),
    ("我的微信是Li_Na_2020 不要打电话 白天在病房不方便", None, "Li_Na_2020", None),
    ("WeChat:zhangwei_1990", None, "zhangwei_1990", None),
    ("mi wechat es:lucia_chen88", None, "lucia_chen88", None),
    ("微信：13912345678", None, "13912345678", None),
    ("mi WeChat es lucia_chen88 y mi teléfono +86 139 1234 5678", "+8613912345678", "lucia_chen88", None),
    ("más 34 612 345 678", "+34612345678", None, None),
    ("mi número es +52 55 1234 5678, en wechat el mismo", "+525512345678", "+525512345678", None),
])
def test_details_typed_together_are_each_found(typed, phone, wechat, email):
    assert read_contact_details(typed) == {"contact_phone": phone, "contact_wechat": wechat, "contact_email": email}


@pytest.mark.parametrize("typed", ["Lily Zhang", "the same", "no wechat", "微信同号", "mañana por la tarde", "12345"])
def test_nothing_is_guessed(typed):
    assert not any(read_contact_details(typed).values())


def test_same_number_needs_a_number_and_wechat_named():
    assert read_contact_details("phone 13912345678, the same as before")["contact_wechat"] is None


@pytest.fixture
def store_env(tmp_path, monkeypatch):
    from cryptography.fernet import Fernet

    url, key = f"sqlite:///{tmp_path / 'leads.db'}", Fernet.generate_key().decode()
    LeadStore(url, key).create_schema()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("LEADS_KEY", key)
    lead_store.cache_clear()  # the action server opens its store once; this test's is a new one
    yield LeadStore(url, key)
    lead_store.cache_clear()


def _time_tracker(text: str, language: str) -> Tracker:
    latest = {"text": text, "intent": {"name": "inform", "confidence": 0.9}, "entities": []}
    events = [ActionExecuted("action_listen"), UserUttered(text, parse_data=latest),
              ActionExecuted("handoff_form"), SlotSet("contact_time", text)]
    return Tracker("conv-time", {"requested_slot": "contact_time", "language": language, "contact_time": text},
                   latest, events, False, None, {"name": "handoff_form", "validate": True, "rejected": False},
                   "action_listen")


@pytest.mark.parametrize("typed,language,kept", [
    ("a la hora de la siesta no porfa 😅, mejor a partir de las 5", "es",
     "a la hora de la siesta no porfa 😅, mejor a partir de las 5"),
    ("not before 10am, no calls at work", "en", "not before 10am, no calls at work"),
    ("不要中午打，下午三点以后都行", "zh", "不要中午打，下午三点以后都行"),
    ("no", "en", "no preference"),
    ("not sure", "en", "no preference"),
    ("不知道", "zh", "no preference"),
    ("no sé", "es", "no preference"),
    # a lone yes is no time: the coordinator would read "Best time: Yes"
    ("yes", "en", "any time"), ("好的", "zh", "any time"), ("sí", "es", "any time"),
    ("yes, after 6pm", "en", "yes, after 6pm"), ("sure any weekday", "en", "sure any weekday"),
])
def test_a_preferred_time_with_a_no_in_it_is_kept_as_typed(store_env, typed, language, kept):
    dispatcher = CollectingDispatcher()
    sets = ValidateHandoffForm().validate_contact_time(typed, dispatcher, _time_tracker(typed, language), {})
    assert sets == {"contact_time": "given"}
    assert store_env.contact_draft("conv-time")["time"] == kept


@pytest.mark.parametrize("typed, name", [
    ("My name is Ana López", "Ana López"), ("i'm Maria, his mum", "Maria, his mum"), ("Call me Jo", "Jo"),
    ("我叫王芳", "王芳"), ("我的名字是 李明", "李明"), ("我是王芳", "王芳"),
    ("Me llamo Lucía Pérez", "Lucía Pérez"), ("mi nombre es: José", "José"),
    # as typed: names that begin like an introduction, and an introduction with no name after it
    ("Imogen Smith", "Imogen Smith"), ("Soyeon Kim", "Soyeon Kim"), ("王芳", "王芳"), ("this is", "this is"),
])
def test_a_name_is_read_without_the_words_that_introduce_it(typed, name):
    assert read_name(typed) == name


@pytest.mark.parametrize("typed,language", [
    ("please don't delete anything", "en"), ("不要删除我的信息", "zh"), ("no borre mis datos por favor", "es"),
])
async def test_a_negated_delete_at_the_time_question_is_answered_and_nothing_is_stored_or_deleted(
        typed, language, store_env):
    dispatcher = CollectingDispatcher()
    events = await ValidateHandoffForm().run(dispatcher, _time_tracker(typed, language), {})
    sets = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    said = [m.get("response") for m in dispatcher.messages]
    assert "utter_delete_data" not in said and "data_deleted" not in sets
    assert sets.get("contact_time") is None  # not kept as the time to call
    assert (store_env.contact_draft("conv-time") or {}).get("time") is None
    assert "utter_nothing_deleted" in said  # "Nothing has been deleted", then the question again
