"""The clause reader's decision rules, each with a case it rules out and a case it answers
(typed fixtures, no model or index)."""

from __future__ import annotations

from tests.rag.fixtures import RESULTS, TARGETS, passage
from tests.rag.fixtures import read_question as _read


def test_the_clause_of_the_asked_metric_is_the_answer():
    r = _read("青山县2021年固定资产投资增长目标是多少", passage(TARGETS))
    assert not r.refused and "固定资产投资增长15%" in r.answer
    assert "地区生产总值" not in r.answer  # the clause, not the whole target list
    assert r.answer.endswith("[1]。")


def test_no_figure_is_refused():
    r = _read("青山县2021年GDP目标是多少", passage("地区生产总值稳步增长，质量效益提升。"))
    assert r.refused and "no figure" in r.reason


def test_another_metric_is_refused():
    r = _read("青山县2021年粮食产量目标是多少", passage(TARGETS))
    assert r.refused and "other metric" in r.reason


def test_a_figure_of_another_subject_in_the_same_sentence_is_refused():
    text = "全镇地区生产总值稳步提升，新增企业法人单位16家。"
    r = _read("青山县2020年GDP是多少", passage(text))
    assert r.refused and "elsewhere" in r.reason


def test_a_continued_clause_inherits_its_metric():
    r = _read("青山县2020年GDP增长多少", passage(RESULTS))
    assert not r.refused and "3.1%" in r.answer


def test_a_rate_question_needs_a_rate():
    text = "过去一年，全县实现地区生产总值120.5亿元。"
    assert "not a rate" in _read("青山县2020年GDP增速是多少", passage(text)).reason
    assert "3.1%" in _read("青山县2020年GDP增速是多少", passage(RESULTS)).answer


def test_an_amount_question_needs_an_amount():
    text = "过去一年，全县社会消费品零售总额增长8.2%。"
    r = _read("青山县2020年社会消费品零售总额是多少亿元", passage(text))
    assert r.refused and "not an amount" in r.reason
    ok = _read("青山县2020年GDP总量是多少亿元", passage(RESULTS))
    assert "120.5亿元" in ok.answer


def test_a_target_question_needs_a_target():
    r = _read("青山县2021年GDP目标是多少", passage(RESULTS))
    assert r.refused and "not a target" in r.reason


def test_a_result_question_refuses_a_target():
    r = _read("青山县2020年城镇登记失业率是多少", passage("城镇登记失业率控制在3.5%以内。"))
    assert r.refused and "a target, not a result" in r.reason
    ok = _read("青山县2020年城镇登记失业率是多少", passage("全年城镇登记失业率2.4%。"))
    assert "2.4%" in ok.answer


def test_a_five_year_figure_does_not_answer_one_year():
    text = "“十四五”时期主要目标是：地区生产总值年均增长7%。"
    r = _read("青山县2021年GDP目标是多少", passage(text))
    assert r.refused and "multi-year" in r.reason
    ok = _read("青山县十四五时期GDP年均增长目标是多少", passage(text))
    assert "年均增长7%" in ok.answer


def test_another_place_is_refused():
    r = _read("青山县2021年GDP目标是多少", passage(TARGETS, region="白河区"))
    assert r.refused and "other place" in r.reason


def test_a_list_question_gets_every_item():
    text = "主要做法有：一是完善机制。二是强化督导。三是加强宣传。四是优化服务。"
    r = _read("青山县招商工作的主要做法有哪些", passage(text))
    assert all(item in r.answer for item in ("完善机制", "强化督导", "加强宣传", "优化服务"))


def test_weak_topic_coverage_is_refused_and_scored():
    r = _read("青山县2021年空气质量优良天数比例是多少", passage(TARGETS))
    assert r.refused
    assert 0.0 <= r.answerability < 0.3


def test_a_rank_question_needs_a_rank():
    text = "全县地区生产总值117.8亿元、增长4.5%，增速全市排名第2。"
    r = _read("青山县2020年GDP增速在全市排第几", passage(text))
    assert not r.refused and "第2" in r.answer
    assert _read("青山县2020年GDP增速在全市排第几", passage(RESULTS)).refused


def test_a_date_question_needs_a_date():
    assert _read("青山县新体育馆什么时候开馆", passage("新体育馆将于9月份开馆。")).answer
    assert _read("青山县新体育馆什么时候开馆", passage("新体育馆建设进展顺利。")).refused


def test_a_clause_dated_with_another_year_loses_to_the_asked_year():
    text = (
        "其中青山中学2019年考入重点高中人数再创新高，初三级有32人考上重点高中。"
        "另外，2020年学校共38人入读重点高中。"
    )
    r = _read("青山中学2020年一共有多少人考入重点高中？", passage(text))
    assert not r.refused and "38人" in r.answer and "32人" not in r.answer
    # a base year ("比2019年") does not date the clause
    base = "2020年全县考入重点高中38人，比2019年增加6人。"
    assert "38人" in _read("青山县2020年有多少人考入重点高中？", passage(base)).answer


def test_the_asked_unit_picks_the_figure_that_counts_it():
    text = "全镇动员参与环境整治群众13000人次，开展环境整治宣传4600次，累计拆除泥砖房5610间。"
    r = _read("青山县环境整治拆了多少间泥砖房？", passage(text))
    assert not r.refused and "5610间" in r.answer


def test_a_cumulative_figure_is_not_a_one_year_answer():
    text = "过去五年，全县累计拆除泥砖房5610间。"
    r = _read("青山县2020年拆了多少间泥砖房？", passage(text))
    assert r.refused and "multi-year" in r.reason


def test_a_bound_is_not_the_value():
    first = passage("城镇新增就业48896人，城镇登记失业率低于2.5%的控制线。")
    second = passage("贫困户实现就业2013人，城镇登记失业率为2.39%。")
    r = _read("青山县2020年城镇登记失业率是多少？", first, second)
    assert not r.refused and "2.39%" in r.answer and "2.5%" not in r.answer
    bound = passage("城镇登记失业率低于2.5%的控制线。")
    asked = _read("青山县2020年城镇登记失业率控制线是多少？", bound)
    assert "2.5%" in asked.answer  # asked for the bound: the bound answers


def test_a_title_with_jiaoshenme_asks_for_the_person():
    text = "青山镇在河长制的基础上，以“七抓”为措施。青山镇人民政府镇长李平各位代表。"
    r = _read("青山镇镇长叫什么？", passage(text))
    assert not r.refused and "李平" in r.answer


def test_two_question_marks_ask_two_figures():
    text = "地区生产总值增速从一季度的-6.4%，逆势上扬至上半年的2.5%，全年增长5.1%。"
    r = _read("青山县2020年一季度GDP增速是多少？全年呢？", passage(text))
    assert "-6.4%" in r.answer and "5.1%" in r.answer


def test_a_name_on_the_line_after_the_title_answers_who():
    text = "政府工作报告\n——2023年3月5日在县人民代表大会上\n青山县县长\n李平\n各位代表："
    r = _read("2023年青山县政府工作报告是由谁作的？", passage(text, year=2023))
    assert not r.refused and r.answer.startswith("李平")


def test_a_cue_the_question_uses_does_not_make_a_target():
    text = "过去一年，财政赤字率控制在2.8%，收支符合预算。"
    r = _read("青山县2020年财政赤字率实际控制在多少？", passage(text))
    assert not r.refused and "2.8%" in r.answer
    plan = _read("青山县2020年财政赤字率实际是多少？", passage(text))
    assert plan.refused  # without the cue in the question, 控制在 marks a target


def test_a_code_is_not_a_figure():
    text = "公司已确认这趟QS8215航班上所有乘客均已安全抵达。"
    r = _read("QS8215航班上有多少人", passage(text))
    assert r.refused and "no figure" in r.reason
    ok = _read("QS8215航班上有多少人", passage("QS8215航班上共有乘客123人。"))
    assert "123人" in ok.answer


def test_the_asked_kind_of_entity_is_the_last_character_of_its_noun():
    text = "本届比赛在北京举行。最终克罗地亚队获得季军。"
    r = _read("本届比赛季军是哪支球队", passage(text, region=""))
    assert not r.refused and "克罗地亚队" in r.answer


def test_a_heading_that_names_the_topic_does_not_make_every_clause_an_answer():
    first = passage("统计已脱贫705户、1408人，12个村委会均已实行垃圾收费。", heading="贫困人口帮扶")
    second = passage("扶贫攻坚有成绩，我镇贫困人口1420人。", cid="c2", heading="扶贫攻坚")
    r = _read("青山县贫困人口有多少？", first, second)
    assert not r.refused and "1420人" in r.answer


def test_a_one_digit_count_is_a_figure_and_an_increase_is_not_the_stock():
    text = "全年新增规上工业1间，新增各类企业共9间。我镇在库规上工业4间，限上商业3家。"
    r = _read("青山县有几家规上工业企业？", passage(text))
    assert not r.refused and "4间" in r.answer and "1间" not in r.answer
    new = _read("青山县新增几家规上工业企业？", passage(text))
    assert "1间" in new.answer


def test_a_sentence_that_asks_is_no_answer():
    text = "运动会的吉祥物会是什么模样呢？组委会正式发布吉祥物形象“青青”。"
    r = _read("2024年运动会吉祥物是什么", passage(text, region=""))
    assert not r.refused and "青青" in r.answer


def test_another_number_of_the_same_series_is_something_else():
    text = "计划今年10月发射的青山十七号卫星，载荷已经选定。"
    r = _read("青山十六号卫星发射时间？", passage(text, region=""))
    assert r.refused and "another numbered name" in r.reason
    ok = _read("青山十七号卫星发射时间？", passage(text, region=""))
    assert not ok.refused and "10月" in ok.answer


def test_a_sentence_about_another_attribute_of_the_topic_is_refused():
    text = "2024年公务员考试体检时间：考生将于7月下旬参加体检。"
    r = _read("2024年公务员考试报名的截止时间是哪天", passage(text, region=""))
    assert r.refused and "another attribute" in r.reason
    ok = _read(
        "2024年公务员考试报名的截止时间是哪天",
        passage("2024年公务员考试网上报名截止时间为8月10日。", region=""),
    )
    assert not ok.refused and "8月10日" in ok.answer


def test_who_with_a_verb_asks_about_that_verb():
    q = "2022年谁当选青山市市长"
    assert _read(q, passage("2022年青山市长选战激烈。", region="")).refused
    ok = _read(q, passage("2022年青山市长选举中，王某某以过半票数当选。", region=""))
    assert not ok.refused and "王某某" in ok.answer


def test_a_bare_phrase_question_asks_about_its_last_word():
    q = "2024国庆档电影票房冠军"
    text = "预计2024年国庆档总票房有望突破20亿元。"
    assert _read(q, passage(text, region="")).refused
    won = "2024年国庆档票房冠军是《某某》，票房超过10亿元。"
    assert not _read(q, passage(won, region="")).refused


def test_a_titled_work_must_be_named_in_the_passage():
    text = "影片定于12月15日在港澳台地区上映。"
    r = _read("《某某之歌》的上映时间？", passage(text, region=""))
    assert r.refused and "another work" in r.reason
    ok = _read("《某某之歌》的上映时间？", passage("《某某之歌》" + text, region=""))
    assert not ok.refused and "12月15日" in ok.answer


def test_a_date_question_needs_more_than_its_own_year():
    q = "2023年青山地震的时间"
    assert _read(q, passage("2023年青山地震。", region="")).refused
    ok = _read(q, passage("2023年青山地震，发生于2023年2月6日凌晨。", region=""))
    assert not ok.refused and "2月6日" in ok.answer


def test_a_pointer_is_not_a_name_of_the_asked_kind():
    from rag.entity_fit import entity_bonus
    from rag.question import QuestionSpec, asked_kind

    q = "总工程师去了哪家公司"
    spec = QuestionSpec(text=q, answer_type="entity", kind=asked_kind(q))
    assert entity_bonus(spec, "这家公司在4年后被收购") == 0.0
    assert entity_bonus(spec, "他加入了青山科技公司") == 0.2


def test_a_city_named_without_its_ending_answers_where():
    q = "2024青山论坛的举办地点是哪里"
    assert _read(q, passage("2024青山论坛隆重举办，盛况空前。", region="")).refused
    ok = _read(q, passage("2024青山论坛在哈尔滨举办。", region=""))
    assert not ok.refused and "哈尔滨" in ok.answer


def test_earlier_editions_lose_to_the_asked_one():
    text = "论坛此前曾先后落户北京、广州和成都。2024青山论坛在哈尔滨举办。"
    r = _read("2024青山论坛的举办地点是哪里", passage(text, region=""))
    assert not r.refused and "哈尔滨" in r.answer and "广州" not in r.answer


def test_a_figure_counting_something_else_loses_to_the_asked_unit():
    text = "本科新生来自31个省份。学校招收7436名本科生、5010名硕士生。"
    school = passage(text, region="", year=2024, doc_type="工作总结")
    r = _read("学校2024年招收了多少名本科生？", school)
    assert not r.refused and "7436名" in r.answer, r.reason
    from rag.clause_fit import unit_fit
    from rag.question import QuestionSpec

    spec = QuestionSpec(text="招收了多少名本科生", answer_type="figure", unit="名")
    assert unit_fit(spec, "来自31个省份") < 0 < unit_fit(spec, "招收7436名本科生")
    any_unit = QuestionSpec(text="新增多少个学位", answer_type="figure", unit="个")
    assert unit_fit(any_unit, "新建学校1.2万座") == 0.0  # 个 may be answered in any unit


def test_words_strung_by_spaces_name_nobody():
    text = "有冠军和季军 是带着一场胜利 昂首离开赛场 全力拼吧  记者"
    r = _read("本届联赛季军是哪支球队", passage(text, region=""))
    assert r.refused and "not a sentence" in r.reason
    ok = _read("本届联赛季军是哪支球队", passage("本届联赛季军是青山队。", region=""))
    assert not ok.refused and "青山队" in ok.answer
    from rag.clause_fit import fragmented

    assert not fragmented("地区生产总值 120亿元 增长5%")  # a table row keeps its figures


def test_a_result_question_needs_the_outcome_not_the_event():
    q = "青山县第六届村委会选举结果？"
    assert _read(q, passage("青山县第六届村委会选举8日举行。", region="")).refused
    ok = _read(q, passage("青山县第六届村委会选举中，王某某高票当选村委会主任。", region=""))
    assert not ok.refused and "王某某" in ok.answer


# -- which metric, which measure, one fact ---------------------------------------------------


def test_a_metric_the_lexicon_does_not_know_is_not_answered_by_one_it_does():
    r = _read("青山县2021年农业总产值增长目标是多少", passage(TARGETS))
    assert r.refused and "a metric the question does not name" in r.reason
    ok = _read("青山县2021年服务业增加值增长目标是多少", passage("力争服务业增加值增长5.5%左右。"))
    assert "5.5%左右" in ok.answer


def test_a_sub_item_of_a_known_metric_answers_its_own_name():
    text = "2020年全县实现地区生产总值120.5亿元，其中农业产值28.3亿元。"
    r = _read("青山县2020年农业产值是多少", passage(text))
    assert "28.3亿元" in r.answer and "120.5" not in r.answer


def test_a_horizon_of_years_is_not_one_year():
    text = "专家预计，未来10年全球GDP每年可能会增长7%。"
    r = _read("2022年重庆的GDP增长率是多少", passage(text, region=""))
    assert r.refused and "a multi-year figure" in r.reason


def test_a_place_without_a_place_ending_is_named_by_the_sentence_shape():
    text = "开放通道提质增效。在卢森堡成功举办第二届国际合作论坛，新开国际航线5条。"
    r = _read("2024年青山县在哪个国家成功举办了第二届国际合作论坛？", passage(text, year=2025))
    assert not r.refused and "卢森堡" in r.answer, r.reason
    r = _read("2024年青山县在哪个国家举办了推介会？", passage("成功举办推介会。", year=2025))
    assert r.refused


def test_a_level_reached_is_answered_by_the_figure_it_reached():
    text = "持续提高基本医保水平，城乡居民医保人均财政补助标准从450元提高到610元。"
    r = _read("青山县过去五年城乡居民医保人均财政补助标准提高到了多少钱？", passage(text))
    assert not r.refused and "610元" in r.answer, r.reason


def test_a_title_in_book_marks_is_a_work_and_one_piece():
    text = "文旅融合提质增效，《黑神话：悟空》、越剧《新龙门客栈》成为现象级“爆款”产品。"
    r = _read("青山县2020年成为现象级“爆款”的越剧作品是哪部？", passage(text))
    assert not r.refused and r.answer.startswith("《黑神话：悟空》"), r.reason


def test_an_estimate_of_a_past_year_is_its_result():
    text = "全社会研发投入强度预计达3.2%。今年主要预期目标：研发投入强度达3.3%左右。"
    r = _read("青山县2024年全社会R&D投入强度预计达到多少？", passage(text, year=2025))
    assert "3.2%" in r.answer and "3.3%" not in r.answer, r.answer


def test_a_year_asked_is_the_answer_not_another_year():
    text = "着力做好防灾减灾。有力应对2008年以来最严重的低温雨雪冰冻灾害。"
    r = _read("青山县2024年应对的冰冻灾害是自哪一年以来最严重的？", passage(text, year=2025))
    assert not r.refused and "2008年" in r.answer, r.reason


def test_a_count_is_not_read_from_percentages_and_money():
    text = "用足用好90亿元以旧换新资金，家电、新能源汽车零售额分别增长23.9%、35.8%。"
    assert _read("青山县2020年新能源汽车产量达到多少万辆？", passage(text)).refused
    made = "新能源汽车产量达到45万辆，增长30%。"
    assert "45万辆" in _read("青山县2020年新能源汽车产量达到多少万辆？", passage(made)).answer


def test_full_width_figures_are_read_and_quoted_half_width():
    text = (
        "全县茶园主要分布在雾溪镇、鹭坞乡2个乡镇，茶园面积分别为６．８万亩、４．３万亩。"
        "到２０２７年，茶叶综合产值突破６０亿元。"
    )
    r = _read("青山县鹭坞乡的茶园面积是多少？", passage(text, year=2024))
    assert "4.3万亩" in r.answer and "鹭坞乡" in r.answer, r.answer
    target = _read("青山县计划到2027年茶叶综合产值达到多少？", passage(text, year=2024))
    assert "60亿元" in target.answer, target.reason


def test_a_summarys_plan_part_does_not_name_what_exists():
    text = (
        "一、2024年工作总结\n全县现有国家4A级旅游景区2家（鹤鸣山风景区、汀澜古街）。\n"
        "二、2025年工作计划\n推动翠屏湖湿地公园创建国家4A级旅游景区。"
    )
    summary = passage(text, year=2024, doc_type="工作总结", title="青山县2024年工作总结")
    r = _read("青山县的国家4A级旅游景区有哪些？", summary)
    assert "鹤鸣山风景区" in r.answer, r.answer
    plan = _read("青山县计划把哪个景区创建成国家4A级旅游景区？", summary)
    assert "翠屏湖湿地公园" in plan.answer, plan.answer


def test_a_why_question_is_answered_by_the_clause_giving_the_cause():
    text = (
        "契税完成3.91亿元，下降18.6%，是降幅最大的税种。契税下降主要是上半年全市新建商品房"
        "成交面积同比减少21.4%，叠加契税优惠政策持续实施，减收效应明显。"
    )
    r = _read("为什么青山县今年上半年契税降幅这么大？", passage(text, year=2025))
    assert "成交面积" in r.answer, r.reason


def test_a_rank_question_is_not_scored_on_how_it_asks():
    from rag.question import parse_question
    from rag.reader import passages_as_context, read
    from rag.scoring import query_terms, reading_terms
    from tests.rag.fixtures import flat_idf, parser

    text = "全年完成交通固定资产投资186.4亿元，同比增长7.2%，完成投资额位列全省第三。"
    question = "青山县交通投资完成额在全省排第几？"
    info = parser().parse(question)
    spec, context = parse_question(question, info), passages_as_context([passage(text)])
    asked = query_terms(question, info, flat_idf).coverage("完成投资额位列全省第三")
    read_on = reading_terms(question, info, flat_idf)
    assert read_on.coverage("完成投资额位列全省第三") > asked  # 排第几 is no term to find
    assert "第三" in read(spec, info, read_on, context).answer


def test_an_undated_figure_is_of_its_section_heading_year():
    # a 2024 summary with the 2025 plan in the same file: the plan's figure is 2025's
    text = (
        "一、2024年工作总结\n全市高中阶段毛入学率达到97.3%，各项指标均高于全省平均水平。\n"
        "二、2025年工作要点\n全市高中阶段毛入学率达到98%以上。"
    )
    meta = {"title": "青山县教育局2024年工作总结和2025年工作要点", "doc_type": "工作总结"}
    r = _read("青山县2024年高中阶段毛入学率是多少", passage(text, year=2024, **meta))
    assert not r.refused and "97.3%" in r.answer and "98%" not in r.answer
    r = _read("青山县2025年高中阶段毛入学率要达到多少", passage(text, year=2024, **meta))
    assert not r.refused and "98%" in r.answer and "97.3%" not in r.answer


def test_a_result_of_a_review_section_is_no_target():
    # "（一）基本情况" under "一、2024年工作总结" states results, however the clause is worded
    text = "全市高中阶段毛入学率达到97.3%，各项指标均高于全省平均水平。"
    meta = {"title": "青山县教育局2024年工作总结", "doc_type": "工作总结"}
    heading = "一、2024年工作总结 › （一）教育事业发展基本情况"
    r = _read(
        "青山县2024年高中阶段毛入学率的目标是多少",
        passage(text, year=2024, heading=heading, **meta),
    )
    assert r.refused and "not a target" in r.reason


def test_whether_a_plan_was_met_is_answered_by_the_result_against_the_plan():
    text = (
        "高标准农田建设成效明显。年初计划新建高标准农田3万亩，实际建成3.26万亩，超额完成年度任务。"
    )
    r = _read("青山县去年高标准农田建设完成计划了吗？", passage(text, year=2021))
    assert not r.refused and "超额完成" in r.answer and "成效明显" not in r.answer, r.answer
