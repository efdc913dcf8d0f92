// The UMD bundle of adaptivecards, which loads in Node, has the API (and so the types) of the package's main build.
declare module 'adaptivecards/dist/adaptivecards.js' {
  export * from 'adaptivecards';
}
