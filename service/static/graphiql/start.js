// GraphiQL against this service's own /graphql. React, ReactDOM and GraphiQL are served
// from /graphiql/vendor (copied from npm by `make vendor`), so nothing loads from elsewhere.
"use strict";

const exampleQuery = `# Ctrl-Enter (or the run button) runs the query;
# the book icon on the left opens the documentation.
{
  intervention(id: "mash") {
    name
    kind
    participants { role agency { name sector } }
  }
}
`;

const fetcher = GraphiQL.createFetcher({ url: new URL("/graphql", window.location.href).href });
ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, { fetcher, defaultQuery: exampleQuery }),
);
