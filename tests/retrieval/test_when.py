"""Times named in a question become publication ranges, read from the day the question is asked."""

from datetime import date

import pytest

from qa.retrieval.when import date_range_in

TODAY = date(2024, 2, 10)  # a Saturday


@pytest.mark.parametrize(
    ("question", "since", "until"),
    [
        ("Who resigned yesterday?", "2024-02-08", "2024-02-10"),
        ("What did the minister say this week?", "2024-02-03", "2024-02-10"),
        ("What happened at the border last week?", "2024-01-27", "2024-02-10"),
        ("What happened last month in Gaza?", "2024-01-01", "2024-02-01"),
        ("How many died in May 2023?", "2023-05-01", "2023-06-01"),
        ("How many were killed in 2021?", "2021-01-01", "2022-01-01"),
        ("What did the minister say on Monday?", "2024-02-04", "2024-02-06"),
    ],
)
def test_a_point_in_time_becomes_a_range_ending_no_later_than_today(question, since, until):
    found = date_range_in(question, TODAY)
    assert found is not None and (str(found.since), str(found.until)) == (since, until)


@pytest.mark.parametrize(
    "question",
    [
        "Who may become the next president?",  # "may" the verb
        "How many people died in 16 years of war?",  # a duration, not a time
        "How many were killed in the three days of fighting?",
        "In what year did Tesla die?",  # the year is the answer, not a constraint
        "How many people live in Berlin?",
    ],
)
def test_no_time_or_only_a_duration_gives_no_range(question):
    assert date_range_in(question, TODAY) is None
