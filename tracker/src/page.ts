/**
 * What every event says about the page it happened on. UTM parameters and click ids travel in
 * `page.url`: the collector reads them there, so the tracker keeps one copy of them.
 */
export const pageContext = (referrer: string) => ({
  page: {
    // The collector's limit: a longer URL would get the event rejected. (Browsers already cut
    // referrers to 4 KB.)
    url: location.href.slice(0, 8192),
    referrer,
    title: document.title,
  },
  screen: { width: screen.width, height: screen.height },
  locale: navigator.language,
  timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
});
