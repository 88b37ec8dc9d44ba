package config

import (
	"strings"
	"testing"
)

func TestPushSettingsParse(t *testing.T) {
	c := mustParse(t, `
push:
  - listen: "127.0.0.1:9000"
    record: continuous
    token: "`+secret+`"
  - listen: "0.0.0.0:9001"
`)
	if len(c.Push) != 2 || c.Push[0].URL() != "push://127.0.0.1:9000" || !c.Push[0].Continuous() || c.Push[0].Token != secret || c.Push[1].Continuous() {
		t.Fatalf("push: %+v", c.Push)
	}
}

func TestPushSettingsValidated(t *testing.T) {
	c := &Config{Wall: Wall{Layout: "auto"}, Push: []Push{
		{Listen: "127.0.0.1:9000", Token: secret},
		{Listen: "127.0.0.1:9000"},
		{Listen: "9000"},
		{Listen: ":9000"},
		{Listen: "example.com:9000"},
		{Listen: "127.0.0.1:99999"},
		{Listen: "127.0.0.1:9002", Record: "always"},
		{Listen: "127.0.0.1:9003", Token: "has space " + secret},
	}}
	err := c.Validate()
	if err == nil {
		t.Fatal("bad push settings accepted")
	}
	msg := err.Error()
	for _, want := range []string{"push[1].listen", "same address", "push[2].listen", "push[3].listen", "0.0.0.0",
		"push[4].listen", "IP address", "push[5].listen", "push[6].record", "push[7].token"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "push[0].") {
		t.Errorf("a good listener refused:\n%s", msg)
	}
	assertNoSecret(t, err)
}

func TestPushTokenNeverInSchemaErrors(t *testing.T) {
	_, err := Parse([]byte("push:\n  - listen: \"127.0.0.1:9000\"\n    token: [\"" + secret + "\"]\n"))
	if err == nil {
		t.Fatal("a list as token accepted")
	}
	assertNoSecret(t, err)
}

func TestPushCamerasAccepted(t *testing.T) {
	c := &Config{Wall: Wall{Layout: "auto"}, Cameras: []Camera{{Name: "Robot", Streams: []Stream{{URL: "push://127.0.0.1:9000/robot"}}}}}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c.Cameras[0].Streams[0].URL = "push://127.0.0.1/robot"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "port") {
		t.Fatalf("push URL without port: %v", err)
	}
}
