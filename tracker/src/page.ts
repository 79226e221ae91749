/**
 * What every event says about the page it happened on. UTM parameters and click ids travel in
 * `page.url`: the collector reads them there, so the tracker keeps one copy of them. The title is
 * added when the event leaves (see `retitle` in index.ts).
 */
export const pageContext = (referrer: string) => ({
  page: {
    // The collector's limits: a longer value would get the event rejected. (Browsers cut
    // referrers to 4 KB, but after an SPA navigation the referrer is the previous address.)
    url: location.href.slice(0, 8192),
    referrer: referrer.slice(0, 8192),
  } as { url: string; referrer: string; title?: string },
  screen: { width: screen.width, height: screen.height },
  locale: navigator.language,
  timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
});
