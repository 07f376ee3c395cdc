// What a segment's pages show for a segment that is not there (deleted, another shop's, a mistyped
// link): a page inside the app's frame with a way back, not the browser's bare error page. Any other
// error goes on to the app's own boundary.
import { isRouteErrorResponse, useRouteError } from "@remix-run/react";
import { Card, EmptyState, Page } from "@shopify/polaris";

export function SegmentNotFoundBoundary() {
  const error = useRouteError();
  if (!isRouteErrorResponse(error) || error.status !== 404) throw error;
  return (
    <Page title="Segment not found" backAction={{ content: "Segments", url: "/app/segments" }}>
      <Card>
        <EmptyState
          heading="This segment was deleted, or never existed"
          action={{ content: "Back to segments", url: "/app/segments" }}
          image=""
        >
          <p>Its link may be old. Your other segments are on the Segments page.</p>
        </EmptyState>
      </Card>
    </Page>
  );
}
