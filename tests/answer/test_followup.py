from qa.answer.followup import resolve, turns_from
from qa.types import Answer


def test_follow_up_about_a_place_uses_the_previous_question(assistant):
    first = assistant.run("In which town did the US strike the PMU's security headquarters in 2024?")
    assert first.short_answer == "Qa’im"
    second = assistant.run("How far is it from Baghdad?", history=[first])
    assert second.resolved_question == "How far is Qa’im from Baghdad?"
    assert "400 kilometers" in second.short_answer


def test_pronoun_resolves_to_the_person_just_named(assistant):
    first = assistant.run("Who is the Pentagon Press Secretary?")
    assert "Kirby" in first.short_answer
    second = assistant.run("What did he say about Iraqi intelligence work?", history=[first])
    assert second.resolved_question == "What did John F. Kirby say about Iraqi intelligence work?"
    assert second.answered and "helped lead to these successful strikes" in second.short_answer


def test_history_as_chat_messages_and_pairs():
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "How many troops remain in Iraq?"}]},
        {"role": "assistant", "content": "About 2,500 [1]"},
    ]
    assert resolve("What about Syria?", messages) == "How many troops remain in Syria?"
    claimed = [
        {"role": "user", "content": "Which group claimed the drone strike?"},
        {"role": "assistant", "content": "**Islamic Resistance in Iraq**, according to its statement [1]."},
    ]  # the short answer is read back from the bold lead newsdesk wrote
    assert resolve("Which airbase did it hit?", claimed) == "Which airbase did Islamic Resistance in Iraq hit?"
    pair = ("Who chairs the committee?", "**Maria Okafor**, according to Governor Tom Reyes [1].")
    assert resolve("What did she say?", [pair]) == "What did Maria Okafor say?"
    assert turns_from([("Q?", "A.")])[0].question == "Q?"
    assert resolve("Who won?", []) == "Who won?"


def _answered(question: str, short: str) -> Answer:
    return Answer(question=question, text=f"**{short}** [1]", answered=True, short_answer=short)


def test_it_and_its_stand_for_the_name_just_answered():
    group = _answered("Which group claimed the drone strike?", "Islamic Resistance in Iraq")
    assert (
        resolve("Which airbase did it say it hit?", [group])
        == "Which airbase did Islamic Resistance in Iraq say it hit?"
    )
    ministry = _answered("Which ministry expressed surprise?", "Defense Ministry")
    assert (
        resolve("Which network carried its statement?", [ministry])
        == "Which network carried Defense Ministry's statement?"
    )
    figure = _answered("How many targets were struck?", "85")
    assert resolve("Who reported it?", [figure]) == "Who reported it?"


def test_a_follow_up_that_names_nothing_stays_at_the_place_asked_about():
    killed = _answered("How many people were killed at Qa'im?", "16")
    assert resolve("Who gave those figures?", [killed]) == "Who gave those figures at Qa'im?"
    assert resolve("Who won the 2022 World Cup?", [killed]) == "Who won the 2022 World Cup?"


def test_he_after_a_who_question_is_the_person_answered_not_the_first_one_quoted():
    # Test fixture, written for this test: the answer names another person first.
    chair = Answer(
        question="Who chairs the harbour committee?",
        text="According to Governor Tom Reyes, Maria Okafor chairs the harbour committee [1].",
        answered=True,
        short_answer="Maria Okafor",
    )
    assert resolve("Which governor did she criticise?", [chair]) == "Which governor did Maria Okafor criticise?"
    named = _answered("What did the governor say?", "the harbour will reopen")
    assert resolve("When did he say it?", [named]) == "When did he say it?"  # nobody named: left as asked
