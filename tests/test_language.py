"""spaCy at question time: entities alone by default, part-of-speech tags only for the callers that read them."""

from qa.language import entities, entities_of, pipeline, tagged

# A test fixture, written for this test.
QUESTION = "How many people did the Red Cross say died in 16 years of war in Yemen last week?"


def test_entities_skip_the_tagger_and_tagging_adds_what_the_whole_pipeline_gives():
    doc = entities(QUESTION)
    whole = pipeline("entities")(QUESTION)
    assert [(e.text, e.label_) for e in doc.ents] == [(e.text, e.label_) for e in whole.ents]
    assert {"Yemen", "last week"} <= {e.text for e in doc.ents}
    assert not doc.has_annotation("TAG")
    assert [t.tag_ for t in tagged(doc)] == [t.tag_ for t in whole] and doc.has_annotation("TAG")
    assert [e.text for e in entities_of([QUESTION])[0].ents] == [e.text for e in doc.ents]
