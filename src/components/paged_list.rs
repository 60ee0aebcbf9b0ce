//! A list the server hands out a page at a time (Sent, trace, audit).
//!
//! Its first page is a [`LocalResource`] keyed on the list's query: setting
//! the query loads it again, and a page shows it through a `<Transition>`
//! whose pending state is [`PagedList::loading`]. "Load more" is an
//! [`Action`] that appends the next page to the resource's value, where a
//! page's changes to a row (a revoke, a new expiry) are written too.

use leptos::prelude::*;
use sealmail_api::admin::{AuditEvent, AuditPage, MessageStatus, TracePage};
use sealmail_api::sender::{SentMessage, SentPage};

use crate::api::{ApiError, ApiFuture, SenderApi, use_api};
use crate::components::staff::redirect_if_signed_out;
use crate::context::use_here;

/// One page of a list as the server sends it.
pub trait Page: 'static {
    /// One row of the list.
    type Row: Clone + Send + Sync + 'static;
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

/// The rows loaded so far and where the next page starts.
#[derive(Clone, Debug)]
pub struct Rows<R> {
    pub rows: Vec<R>,
    /// `None`: the last page is in.
    next: Option<String>,
}

/// The list as loaded: `Ok(None)` until a query is set.
type Loaded<R> = Result<Option<Rows<R>>, ApiError>;

/// A paged list's state; a copy is as good as the original.
pub struct PagedList<Q: 'static, P: Page> {
    /// What the list shows; `None`: nothing asked for yet. Setting it loads
    /// the first page again.
    pub query: RwSignal<Option<Q>>,
    /// The first page is on its way: the `set_pending` of the `<Transition>`
    /// the page shows the rows through.
    pub loading: RwSignal<bool>,
    pages: LocalResource<Loaded<P::Row>>,
    /// Appends the next page.
    more: Action<(), Result<(), ApiError>>,
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

/// A paged list of `query`'s results (`None`: nothing until a query is set),
/// a page at a time from `fetch`.
pub fn use_paged_list<Q, P>(query: Option<Q>, fetch: Fetch<Q, P>) -> PagedList<Q, P>
where
    Q: Clone + Send + Sync + 'static,
    P: Page,
{
    let query = RwSignal::new(query);
    let api = StoredValue::new(use_api());
    let here = use_here();
    let ask = move |query: Q, cursor: Option<String>| {
        let request = fetch(api.get_value().sender(), query, cursor);
        async move {
            let page = request.await;
            if let Err(error) = &page {
                redirect_if_signed_out(here, error);
            }
            page.map(Page::into_parts)
        }
    };
    let pages = LocalResource::new(move || {
        let query = query.get();
        async move {
            let Some(query) = query else {
                return Ok(None);
            };
            let (rows, next) = ask(query, None).await?;
            Ok(Some(Rows { rows, next }))
        }
    });
    let on_more = StoredValue::new(None::<OnMore<P>>);
    let more = Action::new_unsync(move |_: &()| {
        let next = pages.with_untracked(|p| next_of(p.as_ref()));
        let asked = query
            .get_untracked()
            .zip(next)
            .map(|(q, n)| ask(q, Some(n)));
        async move {
            let Some(asked) = asked else {
                return Ok(());
            };
            let (page, next) = asked.await?;
            pages.update(|p| {
                if let Some(Ok(Some(list))) = p {
                    let first_new = list.rows.len();
                    list.rows.extend(page);
                    list.next = next;
                    if first_new > 0
                        && let Some(on_more) = on_more.get_value()
                        && let Some(first) = list.rows.get(first_new)
                    {
                        on_more(first);
                    }
                }
            });
            Ok(())
        }
    });
    PagedList {
        query,
        loading: RwSignal::new(false),
        pages,
        more,
        on_more,
    }
}

/// Where the next page starts, if there is one.
fn next_of<R>(pages: Option<&Loaded<R>>) -> Option<String> {
    match pages {
        Some(Ok(Some(list))) => list.next.clone(),
        _ => None,
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

    /// The rows so far; `None` before a first page came (tracked: read inside
    /// the page's `<Transition>`, it waits for the first page).
    pub fn rows(self) -> Option<Vec<P::Row>> {
        self.pages.with(|p| match p {
            Some(Ok(Some(list))) => Some(list.rows.clone()),
            _ => None,
        })
    }

    /// Whether the list has been loaded and holds no row (tracked).
    pub fn is_empty(self) -> bool {
        self.pages
            .with(|p| matches!(p, Some(Ok(Some(list))) if list.rows.is_empty()))
    }

    /// Changes the rows in place (a revoke, a new expiry).
    pub fn update_rows(self, change: impl FnOnce(&mut Vec<P::Row>)) {
        self.pages.update(|p| {
            if let Some(Ok(Some(list))) = p {
                change(&mut list.rows);
            }
        });
    }

    /// A page is on its way, the first or a next one (tracked).
    pub fn busy(self) -> bool {
        self.loading.get() || self.more.pending().get()
    }

    /// Why the last load failed (never `not_signed_in`: that went to sign
    /// in), if it did (tracked).
    pub fn problem(self) -> Option<ApiError> {
        let failed = |answer: Option<&ApiError>| {
            answer
                .filter(|e| e.code() != Some(sealmail_api::ErrorCode::NotSignedIn))
                .cloned()
        };
        let more = self
            .more
            .value()
            .with(|v| failed(v.as_ref().and_then(|r| r.as_ref().err())));
        more.or_else(|| {
            self.pages
                .with(|p| failed(p.as_ref().and_then(|r| r.as_ref().err())))
        })
    }

    /// Whether there is a next page to load and no load under way (tracked).
    pub fn can_load_more(self) -> bool {
        self.pages.with(|p| next_of(p.as_ref()).is_some()) && !self.busy()
    }

    /// Asks for `query`'s first page (again, if it is the same query).
    pub fn search(self, query: Q) {
        self.more.clear();
        self.query.set(Some(query));
    }

    /// Loads the next page, appended.
    pub fn load_more(self) {
        self.more.clear();
        self.more.dispatch(());
    }
}
