from qa.answer.followup import resolve, turns_from


def test_follow_up_about_a_place_uses_the_previous_question(assistant):
    first = assistant.run("How many were killed at Qa'im?")
    second = assistant.run("And how many were injured there?", history=[first])
    assert second.resolved_question == "How many were injured at Qa'im?"
    assert second.short_answer == "36"


def test_pronoun_resolves_to_the_person_just_named(assistant):
    first = assistant.run("Who is the Pentagon press secretary?")
    assert "Kirby" in first.short_answer
    second = assistant.run("What did he say about Iraqi intelligence?", history=[first])
    assert "Kirby" in second.resolved_question
    assert "Iraqi intelligence had helped" in second.citations[0].sentence


def test_history_as_chat_messages_and_pairs():
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "How many troops remain in Iraq?"}]},
        {"role": "assistant", "content": "About 2,500 [1]"},
    ]
    assert resolve("What about Syria?", messages) == "How many troops remain in Syria?"
    assert turns_from([("Q?", "A.")])[0].question == "Q?"
    assert resolve("Who won?", []) == "Who won?"
