//! Pages of a list: how many rows a page holds, and where the next one starts.

/// A page size: `default` when unset, at most `max`, at least 1.
pub fn page_size(limit: Option<u32>, default: u32, max: u32) -> i64 {
    i64::from(limit.unwrap_or(default).clamp(1, max))
}

/// `rows` was read with one row more than `limit` asked for, which tells
/// whether another page follows: drops that row and returns the cursor after
/// the page's last row (by `cursor_after`), or `None` on the last page.
pub fn next_cursor<T>(
    rows: &mut Vec<T>,
    limit: i64,
    cursor_after: impl Fn(&T) -> String,
) -> Option<String> {
    let limit = usize::try_from(limit).unwrap_or(0);
    if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(cursor_after)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_ends_with_a_cursor_only_when_more_rows_follow() {
        let mut rows = vec![1, 2, 3];
        assert_eq!(
            next_cursor(&mut rows, 2, |r| r.to_string()),
            Some("2".into())
        );
        assert_eq!(rows, [1, 2]);
        let mut rows = vec![1, 2];
        assert_eq!(next_cursor(&mut rows, 2, |r| r.to_string()), None);
        assert_eq!(page_size(None, 50, 200), 50);
        assert_eq!(page_size(Some(0), 50, 200), 1);
        assert_eq!(page_size(Some(999), 50, 200), 200);
    }
}
