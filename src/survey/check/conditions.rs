//! The checker's rules for `show_if` conditions: an attribute the survey declares with one of its
//! values, or a choice question of an earlier page (and its item, for a matrix) with its codes.

use super::*;

impl Checker<'_> {
    pub(super) fn condition(
        &mut self,
        at: &Path,
        condition: &Condition,
        page: usize,
        owner: &Noun,
    ) {
        match &condition.subject {
            Subject::Attribute { attribute } => self.attribute_condition(at, condition, attribute),
            Subject::Question { question, item } => {
                self.question_condition(at, condition, question, item.as_deref(), page, owner)
            }
        }
    }

    fn attribute_condition(&mut self, at: &Path, condition: &Condition, attribute: &str) {
        if self.survey.access == Access::Open {
            self.problem(
                with(at, &[&"attribute"]),
                "open-link surveys have no participant attributes; test the answer to a question instead (the Land: the `land` question)",
                "Umfragen mit offenem Link haben keine Merkmale der Teilnehmenden; prüfen Sie stattdessen die Antwort auf eine Frage (das Land: die Frage vom Typ „land“)",
            );
            return;
        }
        let allowed: Vec<&str> = if attribute == "land" {
            LAENDER.iter().map(|(code, _)| *code).collect()
        } else if let Some(declared) = self.survey.attributes.get(attribute) {
            declared.values.iter().map(String::as_str).collect()
        } else {
            let (hint, hinweis) = did_you_mean(suggest(
                attribute,
                self.survey.attributes.keys().map(String::as_str),
            ));
            self.problem(
                with(at, &[&"attribute"]),
                format!(
                    "condition names attribute `{attribute}`{hint}, which the survey does not declare under `[attributes]`"
                ),
                format!(
                    "die Bedingung nennt das Merkmal „{attribute}“{hinweis}, das unter „[attributes]“ nicht vereinbart ist"
                ),
            );
            return;
        };
        self.known_codes(at, condition, &allowed, &Noun::attribute(attribute));
    }

    fn question_condition(
        &mut self,
        at: &Path,
        condition: &Condition,
        question: &str,
        item: Option<&str>,
        page: usize,
        owner: &Noun,
    ) {
        if self.tolerated.contains(question) {
            return;
        }
        let q_at = with(at, &[&"question"]);
        let Some(&target_page) = self.page_of.get(question) else {
            let ids = self
                .page_of
                .iter()
                .filter(|&(_, &p)| p < page)
                .map(|(id, _)| *id);
            let (hint, hinweis) = did_you_mean(suggest(question, ids));
            self.problem(
                q_at,
                format!(
                    "condition of {} names question `{question}`{hint}, which does not exist",
                    owner.english
                ),
                format!(
                    "{} nennt die Bedingung die Frage „{question}“{hinweis}, die es nicht gibt",
                    owner.german_in
                ),
            );
            return;
        };
        if target_page >= page {
            let (which, wo) = if target_page == page {
                ("is on the same page", "auf derselben Seite steht")
            } else {
                ("comes later", "erst später kommt")
            };
            self.problem(
                q_at,
                format!(
                    "condition of {} names question `{question}`, which {which} (page {}); a condition can only name a question on an earlier page",
                    owner.english,
                    target_page + 1
                ),
                format!(
                    "{} nennt die Bedingung die Frage „{question}“, die {wo} (Seite {}); eine Bedingung kann nur Fragen früherer Seiten nennen",
                    owner.german_in,
                    target_page + 1
                ),
            );
            return;
        }
        let Some(target) = self.survey.question(question) else {
            return;
        };
        let codes: Vec<&str> = match &target.kind {
            QuestionKind::Land => LAENDER.iter().map(|(code, _)| *code).collect(),
            kind => match kind.choices() {
                Some(choices) => choices.options.iter().map(|o| o.code.as_str()).collect(),
                None => {
                    self.problem(
                        q_at,
                        format!(
                            "condition names question `{question}`, a `{}` question; conditions can only test choice questions",
                            kind.type_name()
                        ),
                        format!(
                            "die Bedingung nennt die Frage „{question}“ vom Typ „{}“; Bedingungen können nur Auswahlfragen prüfen",
                            kind.type_name()
                        ),
                    );
                    return;
                }
            },
        };
        self.condition_item(at, &target.kind, question, item);
        self.known_codes(at, condition, &codes, &Noun::question(question));
    }

    fn condition_item(
        &mut self,
        at: &Path,
        kind: &QuestionKind,
        question: &str,
        item: Option<&str>,
    ) {
        match (kind, item) {
            (QuestionKind::Matrix { items, .. }, Some(item)) => {
                if !items.iter().any(|i| i.id == item) {
                    let (hint, hinweis) =
                        did_you_mean(suggest(item, items.iter().map(|i| i.id.as_str())));
                    self.problem(
                        with(at, &[&"item"]),
                        format!("question `{question}` has no item `{item}`{hint}"),
                        format!("die Frage „{question}“ hat keine Zeile „{item}“{hinweis}"),
                    );
                }
            }
            (QuestionKind::Matrix { .. }, None) => self.problem(
                with(at, &[&"question"]),
                format!("`{question}` is a matrix question: the condition must name one of its rows with `item`"),
                format!("„{question}“ ist eine Matrixfrage: die Bedingung muss mit „item“ eine ihrer Zeilen nennen"),
            ),
            (_, Some(_)) => self.problem(
                with(at, &[&"item"]),
                format!("`item` is only for matrix questions, and `{question}` is not one"),
                format!("„item“ gibt es nur bei Matrixfragen, und „{question}“ ist keine"),
            ),
            (_, None) => {}
        }
    }

    fn known_codes(&mut self, at: &Path, condition: &Condition, allowed: &[&str], what: &Noun) {
        for (i, code) in condition.any_of.iter().enumerate() {
            if !allowed.contains(&code.as_str()) {
                let (hint, hinweis) = did_you_mean(suggest(code, allowed.iter().copied()));
                self.problem(
                    with(at, &[&"any_of", &i]),
                    format!("{} has no option `{code}`{hint}", what.english),
                    format!("{} gibt es keinen Code „{code}“{hinweis}", what.german_in),
                );
            }
        }
    }
}
