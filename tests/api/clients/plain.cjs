// Contentful's JS SDK (plain API), unchanged, against tokentui serve: prints one JSON line of results.
const contentful = require('contentful-management')
const [host, secret, orgId] = process.argv.slice(2)
const client = contentful.createClient({ accessToken: secret, host, insecure: true, retryLimit: 3 }, { type: 'plain' })
;(async () => {
  const out = {}
  const made = await client.accessToken.createPersonalAccessToken({ name: 'js sdk', scopes: ['content_management_manage'], expiresIn: 3600 })
  out.created = { name: made.name, hasSecret: typeof made.token === 'string', expiresAt: made.sys.expiresAt }
  const page = await client.accessToken.getMany({ query: { limit: 1, skip: 0 } })
  out.page = { total: page.total, items: page.items.length, limit: page.limit }
  out.got = (await client.accessToken.get({ tokenId: made.sys.id })).name
  out.revoked = (await client.accessToken.revoke({ tokenId: made.sys.id })).revokedAt !== null
  out.org = (await client.accessToken.getManyForOrganization({ organizationId: orgId, query: { limit: 5 } })).total
  try { await client.accessToken.get({ tokenId: 'nosuchtoken' }) } catch (e) { out.notFound = e.name }
  // Past the rate limit the SDK's retry waits out the 429 and every call still succeeds.
  const many = await Promise.all(Array.from({ length: 12 }, () => client.user.getCurrent()))
  out.afterRetry = many.filter((u) => u.email).length
  console.log(JSON.stringify(out))
})().catch((e) => { console.log(JSON.stringify({ error: String(e && e.message) })); process.exit(1) })
