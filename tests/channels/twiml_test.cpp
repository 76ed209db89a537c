#include "channels/twiml.hpp"

#include <catch2/catch.hpp>

using namespace civicline::channels;

namespace {
const std::string prolog = R"(<?xml version="1.0" encoding="UTF-8"?>)";
}

TEST_CASE("render_twiml with no reply is an empty Response") {
  CHECK(render_twiml({}) == prolog + "<Response/>");
}

TEST_CASE("render_twiml gives each reply its own Message") {
  CHECK(render_twiml({"Thanks!", "Your tracking number is 311-000123."}) ==
        prolog +
            "<Response><Message>Thanks!</Message><Message>Your tracking number is "
            "311-000123.</Message></Response>");
}

TEST_CASE("render_twiml escapes XML's special characters") {
  CHECK(render_twiml({R"(Tom & Jerry <b>"hi"</b> it's)"}) ==
        prolog +
            "<Response><Message>Tom &amp; Jerry &lt;b&gt;&quot;hi&quot;&lt;/b&gt; "
            "it&apos;s</Message></Response>");
}

TEST_CASE("render_twiml keeps UTF-8, tabs and line breaks") {
  CHECK(render_twiml({"Línea 1\nLínea 2\r\n\t🚧 ñ"}) ==
        prolog + "<Response><Message>Línea 1\nLínea 2\r\n\t🚧 ñ</Message></Response>");
}

TEST_CASE("render_twiml drops characters XML 1.0 does not allow") {
  CHECK(render_twiml({std::string("a\0b\x01\x08\x0B\x0C\x1F\x7F", 10) + "c"}) ==
        prolog +
            "<Response><Message>ab\x7F"
            "c</Message></Response>");
  // U+FFFE and U+FFFF are not characters in XML; U+FFFD is.
  CHECK(render_twiml({"x\xEF\xBF\xBEy\xEF\xBF\xBFz\xEF\xBF\xBD"}) ==
        prolog + "<Response><Message>xyz\xEF\xBF\xBD</Message></Response>");
}

TEST_CASE("render_twiml replaces invalid UTF-8 with U+FFFD") {
  const std::string fffd = "\xEF\xBF\xBD";
  CHECK(render_twiml({"a\xFF"
                      "b"}) == prolog + "<Response><Message>a" + fffd + "b</Message></Response>");
  // A truncated sequence, an overlong '/', and an encoded surrogate.
  CHECK(render_twiml({"\xC3"}) == prolog + "<Response><Message>" + fffd + "</Message></Response>");
  CHECK(render_twiml({"\xC0\xAF"}) ==
        prolog + "<Response><Message>" + fffd + fffd + "</Message></Response>");
  CHECK(render_twiml({"\xED\xA0\x80"}) ==
        prolog + "<Response><Message>" + fffd + fffd + fffd + "</Message></Response>");
}

TEST_CASE("render_twiml keeps an empty reply as an empty Message") {
  CHECK(render_twiml({""}) == prolog + "<Response><Message></Message></Response>");
}

TEST_CASE("parse_twiml_messages reads back what render_twiml wrote") {
  const std::vector<std::string> messages{"Thanks!", R"(Tom & Jerry <b>"hi"</b> it's)",
                                          "Línea 1\nLínea 2 🚧", ""};
  CHECK(parse_twiml_messages(render_twiml(messages)) == messages);
  CHECK(parse_twiml_messages(render_twiml({})).empty());
}

TEST_CASE("parse_twiml_messages accepts attributes, whitespace and a Body child") {
  const std::string xml = R"(<?xml version="1.0"?>
<Response>
  <Message to="+15550001111" action="/status">Plain &amp; simple</Message>
  <Message>
    <Body>In a body</Body>
    <Media>https://example.com/a.jpg</Media>
  </Message>
  <Message><Media>https://example.com/b.jpg</Media>Text beside media</Message>
  <Message/>
  <Message />
</Response>)";
  CHECK(parse_twiml_messages(xml) ==
        std::vector<std::string>{"Plain & simple", "In a body", "Text beside media", "", ""});
}

TEST_CASE("parse_twiml_messages decodes character references and CDATA") {
  CHECK(parse_twiml_messages(
            "<Response><Message>&#72;&#x69;&#X21; &#128679; &lt;&gt;&quot;&apos;</Message>"
            "<Message><![CDATA[<raw & ready>]]></Message></Response>") ==
        std::vector<std::string>{"Hi! 🚧 <>\"'", "<raw & ready>"});
}

TEST_CASE("parse_twiml_messages leaves unknown or broken entities as text") {
  CHECK(parse_twiml_messages("<Response><Message>&nbsp; &#0; &#xZZ; & alone &amp</Message>"
                             "</Response>") ==
        std::vector<std::string>{"&nbsp; &#0; &#xZZ; & alone &amp"});
}

TEST_CASE("parse_twiml_messages ignores other verbs, look-alike tags and comments") {
  CHECK(parse_twiml_messages("<Response><Say>Hello</Say><!-- <Message>no</Message> -->"
                             "<MessageX>no</MessageX><Message>yes</Message>"
                             "<Redirect>/next</Redirect></Response>") ==
        std::vector<std::string>{"yes"});
}

TEST_CASE("parse_twiml_messages survives truncated or empty documents") {
  CHECK(parse_twiml_messages("").empty());
  CHECK(parse_twiml_messages("not xml at all").empty());
  CHECK(parse_twiml_messages("<Response><Message>cut off") == std::vector<std::string>{"cut off"});
  CHECK(parse_twiml_messages("<Response><Message").empty());
  CHECK(parse_twiml_messages("<Message><Body>x").size() == 1);
}
