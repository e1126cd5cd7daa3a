"""Feeds the feed tests write: an RSS 2.0 channel and an Atom feed with two stories."""

from __future__ import annotations

HARBOUR = (
    "The council voted on Tuesday to rebuild the harbour wall that the winter storms breached, "
    "and the work will start in May."
)
FERRY = "Ferry crews walked out on Wednesday over pay, stranding hundreds of travellers at the port."

RSS = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Harbour Gazette</title>
  <link>https://harbourgazette.example/</link>
  <item>
    <title>Council votes to rebuild the harbour wall</title>
    <link>/2024/03/05/harbour-wall</link>
    <pubDate>Tue, 05 Mar 2024 23:30:00 -0500</pubDate>
    <dc:creator>Ann Lee</dc:creator>
    <description>The wall will be rebuilt.</description>
    <content:encoded><![CDATA[<p>{HARBOUR}</p><p>Engineers said AT&amp;T cables run under it.</p>
      <script>track()</script>]]></content:encoded>
  </item>
  <item>
    <title>Ferry crews strike</title>
    <link>https://harbourgazette.example/2024/03/06/ferry</link>
    <pubDate>Wed, 06 Mar 2024</pubDate>
    <description>&lt;p&gt;{FERRY}&lt;/p&gt;</description>
  </item>
</channel>
</rss>
"""

ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Valley Courier</title>
  <link href="https://valleycourier.example/"/>
  <entry>
    <title>Harbour wall</title>
    <link rel="alternate" href="https://valleycourier.example/harbour"/>
    <published>2024-03-04T09:15:00+02:00</published>
    <updated>2024-03-05T10:00:00Z</updated>
    <author><name>Bo Chan</name></author>
    <content type="html">&lt;p&gt;{HARBOUR}&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Ferry strike</title>
    <link href="https://valleycourier.example/ferry"/>
    <updated>2024-03-06T10:00:00Z</updated>
    <content type="text">{FERRY}</content>
  </entry>
</feed>
"""
