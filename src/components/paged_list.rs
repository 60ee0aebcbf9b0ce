//! A list the server hands out a page at a time (Sent, trace, audit): its
//! rows, the cursor of the next page, and loading the first or the next page.

use leptos::prelude::*;
use sealmail_api::admin::{AuditEvent, AuditPage, MessageStatus, TracePage};
use sealmail_api::sender::{SentMessage, SentPage};

use crate::api::{ApiError, ApiFuture, SenderApi, use_api};
use crate::components::staff::redirect_if_signed_out;
use crate::context::use_here;

/// One page of a list as the server sends it.
pub trait Page: 'static {
    /// One row of the list.
    type Row: Send + Sync + 'static;
    /// The page's rows and the cursor of the next page (`None`: the last).
    fn into_parts(self) -> (Vec<Self::Row>, Option<String>);
}

impl Page for SentPage {
    type Row = SentMessage;
    fn into_parts(self) -> (Vec<SentMessage>, Option<String>) {
        (self.messages, self.next_cursor)
    }
}

impl Page for TracePage {
    type Row = MessageStatus;
    fn into_parts(self) -> (Vec<MessageStatus>, Option<String>) {
        (self.messages, self.next_cursor)
    }
}

impl Page for AuditPage {
    type Row = AuditEvent;
    fn into_parts(self) -> (Vec<AuditEvent>, Option<String>) {
        (self.events, self.next_cursor)
    }
}

/// Asks for one page: the list's query with this cursor (`None`: the first page).
/// A plain `fn`, not a closure: it is `Copy`, so the list needs no stored value for it.
pub type Fetch<Q, P> = fn(&dyn SenderApi, Q, Option<String>) -> ApiFuture<P>;

/// A paged list's state; a copy is as good as the original.
pub struct PagedList<Q: 'static, P: Page> {
    /// What the page asks for; the cursor is added by [`PagedList::load`].
    pub query: RwSignal<Q>,
    /// `None` until a first page has come.
    pub rows: RwSignal<Option<Vec<P::Row>>>,
    /// A page is on its way.
    pub busy: Memo<bool>,
    /// Why the last load failed (never `not_signed_in`: that goes to sign in).
    pub problem: Signal<Option<ApiError>>,
    cursor: RwSignal<Option<String>>,
    /// Loads the first page (`false`) or the next one (`true`).
    loader: Action<bool, Result<(), ApiError>>,
    on_more: StoredValue<Option<OnMore<P>>>,
}

/// Told the first row of a page appended below (see [`PagedList::on_more`]).
type OnMore<P> = fn(&<P as Page>::Row);

// By hand: a derive would ask for `Q: Copy` and `P: Copy`, which the signals do not need.
impl<Q, P: Page> Clone for PagedList<Q, P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<Q, P: Page> Copy for PagedList<Q, P> {}

/// A paged list of `query`'s results, a page at a time from `fetch`;
/// nothing is loaded until [`PagedList::load`].
pub fn use_paged_list<Q, P>(query: Q, fetch: Fetch<Q, P>) -> PagedList<Q, P>
where
    Q: Clone + Send + Sync + 'static,
    P: Page,
{
    let query = RwSignal::new(query);
    let rows = RwSignal::new(None::<Vec<P::Row>>);
    let cursor = RwSignal::new(None::<String>);
    let on_more = StoredValue::new(None::<OnMore<P>>);
    let api = StoredValue::new(use_api());
    let here = use_here();
    let loader = Action::new_unsync(move |&more: &bool| {
        let from = if more { cursor.get_untracked() } else { None };
        // Counted now, not when the page comes: focus follows only a page
        // appended below rows that were there when "more" was asked for.
        let shown = rows.with_untracked(|rows| rows.as_ref().map_or(0, Vec::len));
        let request = fetch(api.get_value().sender(), query.get_untracked(), from);
        async move {
            let page = match request.await {
                Ok(page) => page,
                Err(error) => {
                    redirect_if_signed_out(here, &error);
                    return Err(error);
                }
            };
            let (page, next) = page.into_parts();
            rows.update(|rows| {
                let rows = rows.get_or_insert_with(Vec::new);
                let first_new = rows.len();
                if more {
                    rows.extend(page);
                } else {
                    *rows = page;
                }
                if more
                    && shown > 0
                    && let Some(on_more) = on_more.get_value()
                    && let Some(first) = rows.get(first_new)
                {
                    on_more(first);
                }
            });
            cursor.set(next);
            Ok(())
        }
    });
    PagedList {
        query,
        rows,
        busy: loader.pending(),
        problem: Signal::derive(move || {
            loader.value().with(|v| match v {
                // `not_signed_in` went to sign in: nothing to say here.
                Some(Err(e)) if e.code() != Some(sealmail_api::ErrorCode::NotSignedIn) => {
                    Some(e.clone())
                }
                _ => None,
            })
        }),
        cursor,
        loader,
        on_more,
    }
}

impl<Q, P> PagedList<Q, P>
where
    Q: Clone + Send + Sync + 'static,
    P: Page,
{
    /// Calls `first` with the first row of a next page appended below rows
    /// already shown (so the page can move keyboard focus there). It runs
    /// while the rows are being written, so it must not touch the list.
    pub fn on_more(self, first: fn(&P::Row)) -> Self {
        self.on_more.set_value(Some(first));
        self
    }

    /// Whether there is a next page to load and no load under way (tracked).
    pub fn can_load_more(self) -> bool {
        self.cursor.with(Option::is_some) && !self.busy.get()
    }

    /// Loads the first page (`more`: the next page, appended).
    pub fn load(self, more: bool) {
        self.loader.value().set(None);
        self.loader.dispatch(more);
    }
}
